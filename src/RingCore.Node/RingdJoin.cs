using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RingCore.Membership;
using RingCore.Node;

namespace RingCore.Daemon;

/// <summary>
/// ringd's join at start (<c>RingCore:Seed</c>): a seed that does not answer (not started yet,
/// restarting, a network that is not up) is asked again with capped exponential backoff until
/// <c>RingCore:JoinTimeout</c>; a seed that answers and refuses (another ring size, this node in
/// a cluster already) fails at once, since asking again would get the same answer.
/// </summary>
internal static class RingdJoin
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(5);

    /// <exception cref="RingdJoinException">The seed did not answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="ClusterChangeRefusedException">The seed's cluster refused the join.</exception>
    public static async Task JoinAsync(RingNode node, string seed, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var delay = FirstDelay;
        for (int attempt = 1; ; attempt++)
        {
            RingdLog.Joining(logger, seed);
            try
            {
                // One attempt waits at most RingCore:Membership:RequestTimeout, and no longer than the time left.
                using var attemptLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attemptLimit.CancelAfter(Max(timeout - clock.Elapsed, TimeSpan.FromMilliseconds(1)));
                await node.JoinAsync(seed, attemptLimit.Token).ConfigureAwait(false);
                RingdLog.JoinStaged(logger, seed);
                return;
            }
            catch (Exception error) when (IsUnanswered(error, cancellationToken))
            {
                var left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    throw new RingdJoinException($"the seed {seed} did not answer in {timeout} ({attempt} attempts; RingCore:JoinTimeout): {error.Message}", error);
                }

                var wait = delay < left ? delay : left;
                RingdLog.SeedUnanswered(logger, seed, attempt, error.Message, (long)wait.TotalMilliseconds);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                delay = Max(delay, delay * 2 < LongestDelay ? delay * 2 : LongestDelay);
            }
        }
    }

    /// <summary>A timeout of the membership request, or of this attempt's share of the join timeout, but not the host's stop.</summary>
    private static bool IsUnanswered(Exception error, CancellationToken hostStopping) =>
        error is TimeoutException || error is OperationCanceledException && !hostStopping.IsCancellationRequested;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>The seed of <c>RingCore:Seed</c> never answered within <c>RingCore:JoinTimeout</c>.</summary>
internal sealed class RingdJoinException(string message, Exception inner) : Exception(message, inner);
