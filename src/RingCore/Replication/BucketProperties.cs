namespace RingCore.Replication;

/// <summary>
/// The replication settings of a bucket (riak_kv's bucket properties n_val, r, w, pr, pw and
/// last_write_wins; Dynamo section 4.5: N replicas, R readers and W writers).
/// </summary>
public sealed class BucketProperties
{
    /// <summary>The defaults: N=3, R=2, W=2, PR=0, PW=0, siblings kept (riak_kv's defaults).</summary>
    public static BucketProperties Default { get; } = new();

    /// <summary>Replicas per key (n_val). Defaults to 3.</summary>
    public int N { get; init; } = 3;

    /// <summary>Replies a read waits for, not-found replies included unless <see cref="NotFoundOk"/> is false. Defaults to 2.</summary>
    public int R { get; init; } = 2;

    /// <summary>
    /// Whether a not-found reply counts towards R (riak's notfound_ok). Defaults to true. When
    /// false, a read waits for R replicas that hold the key, and takes not-found replies into
    /// account only once every replica of the list has answered: a fallback that stood in for
    /// nobody's write, or a replica that missed it, cannot make a read return less than R
    /// replicas could tell it. Actor activations read this way.
    /// </summary>
    public bool NotFoundOk { get; init; } = true;

    /// <summary>
    /// Acknowledgements a write waits for, from distinct nodes. Defaults to 2. Where a small ring
    /// puts two of a key's replicas on one node (fewer members than target_n, as in Riak), their
    /// acknowledgements count once, so an acknowledged write survives the loss of any W-1 disks;
    /// a cluster with fewer than W nodes cannot acknowledge writes at all.
    /// </summary>
    public int W { get; init; } = 2;

    /// <summary>How many of the R replies must come from primaries rather than fallbacks. Defaults to 0.</summary>
    public int PR { get; init; }

    /// <summary>How many of the W acknowledgements must come from primaries rather than fallbacks (distinct nodes, like W). Defaults to 0.</summary>
    public int PW { get; init; }

    /// <summary>
    /// Resolve concurrent writes by timestamp instead of keeping them as siblings. Defaults to
    /// false. Turning it on loses one of two concurrent writes by design (the one with the
    /// older timestamp, from the coordinating node's clock).
    /// </summary>
    public bool LastWriteWins { get; init; }

    /// <summary>
    /// How long a tombstone that all N primaries hold is kept before it is reaped. Defaults to 3
    /// seconds (riak_kv's delete_mode): a copy of the deleted value still in flight (a delayed or
    /// duplicated message) that lands within it meets the tombstone and is superseded; one that
    /// lands after the reap brings the value back. Longer is safer and keeps deleted keys' clocks
    /// around longer; zero reaps at once. At most 49.7 days.
    /// </summary>
    public TimeSpan TombstoneReapDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A deliberately broken coordinator, for the partition suite only (issue 5: the checker must
    /// be able to fail): a put is acknowledged as soon as its coordinating replica recorded it,
    /// before W replicas have. Never set outside that test.
    /// </summary>
    internal bool AcknowledgeBeforeQuorum { get; init; }

    /// <summary>Checks 1 &lt;= R, W &lt;= N, PR &lt;= R, PW &lt;= W, N &lt;= <paramref name="targetN"/> and a reap delay from 0 to 49.7 days (the longest a timer waits).</summary>
    /// <param name="targetN">The ring's target_n: claim keeps that many consecutive partitions on distinct members, so N above it could put two replicas on one node.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate(int targetN)
    {
        if (N < 1 || N > targetN)
        {
            throw new ArgumentOutOfRangeException(nameof(N), N, $"N must be from 1 to the ring's target_n ({targetN}).");
        }

        if (R < 1 || R > N)
        {
            throw new ArgumentOutOfRangeException(nameof(R), R, $"R must be from 1 to N ({N}).");
        }

        if (W < 1 || W > N)
        {
            throw new ArgumentOutOfRangeException(nameof(W), W, $"W must be from 1 to N ({N}).");
        }

        if (PR < 0 || PR > R)
        {
            throw new ArgumentOutOfRangeException(nameof(PR), PR, $"PR must be from 0 to R ({R}).");
        }

        if (PW < 0 || PW > W)
        {
            throw new ArgumentOutOfRangeException(nameof(PW), PW, $"PW must be from 0 to W ({W}).");
        }

        if (TombstoneReapDelay < TimeSpan.Zero || TombstoneReapDelay > Runtime.TimerLimits.MaxDueTime)
        {
            // A longer delay would fail inside the reap's timer, where nobody hears it.
            throw new ArgumentOutOfRangeException(nameof(TombstoneReapDelay), TombstoneReapDelay,
                $"TombstoneReapDelay must be from 0 to {Runtime.TimerLimits.MaxDueTimeText}, the longest a timer waits.");
        }
    }
}
