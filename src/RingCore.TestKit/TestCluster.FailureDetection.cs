using RingCore.Membership;

namespace RingCore.TestKit;

/// <summary>Failure detection on the test cluster: what each node believes, and waiting for the nodes to notice a fault.</summary>
/// <remarks>
/// The nodes run the failure detection their options ask for (<see cref="Node.RingNodeOptions.FailureDetection"/>,
/// taken from the cluster's <c>nodeOptions</c>): by default heartbeats and a phi-accrual detector,
/// so a node notices a crash or a partition only after the detector's delay (under 2 s with the
/// defaults), as a production node would, and until then routes to the lost node as if it were up.
/// <see cref="AwaitDetectionAsync"/> waits for that. A test about something else may pass
/// <see cref="FailureDetectionMode.TransportReachability"/>, with which every node sees the
/// simulated network's exact reachability at once.
/// </remarks>
public sealed partial class TestCluster
{
    /// <summary>How often <see cref="AwaitDetectionAsync"/> looks at the nodes' views, on the cluster's clock.</summary>
    private static readonly TimeSpan ViewPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Whether node <paramref name="observer"/> routes as if <paramref name="node"/> were up now (its failure detector's view).</summary>
    /// <exception cref="KeyNotFoundException">No node has one of the names.</exception>
    public bool SeesUp(string observer, string node)
    {
        var view = Node(observer).Routing.Current;
        return view.Ring.IndexOfMember(node) >= 0
            ? view.IsUp(node)
            : throw new KeyNotFoundException($"No node '{node}' in the ring ({string.Join(", ", Members)}).");
    }

    /// <summary>
    /// Waits, on the cluster's clock, until every running node sees up exactly the nodes the
    /// simulated network lets it reach: after <see cref="Crash"/>, <see cref="Partition"/>,
    /// <see cref="Restart"/> or <see cref="Heal"/>, the time its failure detector takes to notice.
    /// Looks every 10 ms; returns at once when the views already agree.
    /// </summary>
    /// <param name="timeout">How long to wait on the cluster's clock; 30 seconds when null.</param>
    /// <exception cref="TimeoutException">Some view still disagrees after <paramref name="timeout"/> (the message says which).</exception>
    public async Task AwaitDetectionAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, TimeSpan.Zero);
        long started = Time.GetTimestamp();
        while (Disagreements() is { } disagreements)
        {
            if (Time.GetElapsedTime(started) >= limit)
            {
                throw new TimeoutException($"After {limit} the nodes' failure detectors still disagree with the network: {disagreements}.");
            }

            await Task.Delay(ViewPollInterval, Time).ConfigureAwait(false);
        }
    }

    /// <summary>"n1 sees n3 up, which it cannot reach; ..." or null when every running node's view matches the network.</summary>
    private string? Disagreements()
    {
        var disagreements = new List<string>();
        var members = Members;
        foreach (var observer in members)
        {
            if (Network.IsCrashed(observer))
            {
                continue;
            }

            foreach (var node in members)
            {
                if (Node(observer).Routing.Current.Ring.IndexOfMember(node) < 0)
                {
                    disagreements.Add($"{observer} does not know {node} (its ring is another)"); // a member that has not received the cluster's ring
                    continue;
                }

                bool reachable = node == observer || Network.CanReach(observer, node);
                if (SeesUp(observer, node) != reachable)
                {
                    disagreements.Add($"{observer} sees {node} {(reachable ? "down, which it can reach" : "up, which it cannot reach")}");
                }
            }
        }

        return disagreements.Count == 0 ? null : string.Join("; ", disagreements);
    }
}
