using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RingCore.Node;
using RingCore.Ring;

namespace RingCore.Daemon;

/// <summary>
/// The part of ringd's stop that comes before the node's own (issue 15, point 4: "hands off if
/// asked to leave"): a node whose leave was committed and that still owns partitions would take
/// their only up-to-date copies down with it, so the stop first waits, at most
/// <c>RingCore:ShutdownTimeout</c>, for its ownership handoff to finish (riak's leave: the node
/// exits once it owns nothing). The node goes on serving meanwhile; partitions are its own until
/// their transfer completes.
/// </summary>
internal static class RingdShutdown
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static async Task WaitForHandoffAsync(RingNode node, TimeSpan limit, ILogger logger, CancellationToken cancellationToken)
    {
        if (OwnedWhileLeaving(node) is not (> 0 and var owned))
        {
            return;
        }

        RingdLog.WaitingForHandoff(logger, node.Name, owned, limit);
        var clock = Stopwatch.StartNew();
        try
        {
            while (OwnedWhileLeaving(node) is > 0 && (limit == Timeout.InfiniteTimeSpan || clock.Elapsed < limit))
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's own stop limit: stop now, as after the timeout.
        }

        if (OwnedWhileLeaving(node) is > 0 and var left)
        {
            RingdLog.HandoffUnfinished(logger, node.Name, left, clock.Elapsed);
        }
        else
        {
            RingdLog.HandoffFinished(logger, node.Name, clock.Elapsed);
        }
    }

    /// <summary>The partitions this node still owns while the ring says it is leaving; 0 when it is not leaving, or owns nothing any more.</summary>
    private static int OwnedWhileLeaving(RingNode node)
    {
        if (node.HasLeftRing)
        {
            return 0;
        }

        var ring = node.Ring;
        int self = ring.IndexOfMember(node.Name);
        return self >= 0 && ring.Members[self].Status == MemberStatus.Leaving ? ring.CountOwnedPartitions()[self] : 0;
    }
}
