namespace RingCore.Replication;

/// <summary>
/// Per-request overrides of a bucket's quorums (riak_kv's per-request r, w, pr, pw options) and
/// the request's timeout. A null setting takes the bucket's value.
/// </summary>
public sealed class QuorumOptions
{
    /// <summary>The default timeout: 5 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Replies a read waits for; the bucket's R when null.</summary>
    public int? R { get; init; }

    /// <summary>Acknowledgements a write waits for; the bucket's W when null.</summary>
    public int? W { get; init; }

    /// <summary>Primary replies a read needs; the bucket's PR when null.</summary>
    public int? PR { get; init; }

    /// <summary>Primary acknowledgements a write needs; the bucket's PW when null.</summary>
    public int? PW { get; init; }

    /// <summary>Whether not-found replies count towards R; the bucket's <see cref="BucketProperties.NotFoundOk"/> when null.</summary>
    public bool? NotFoundOk { get; init; }

    /// <summary>How long the request waits for its quorum: positive and at most 49.7 days. Defaults to 5 seconds.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The bucket's properties with these overrides applied, validated.</summary>
    internal BucketProperties Apply(BucketProperties bucket, int targetN)
    {
        var effective = new BucketProperties
        {
            N = bucket.N,
            R = R ?? bucket.R,
            W = W ?? bucket.W,
            PR = PR ?? bucket.PR,
            PW = PW ?? bucket.PW,
            NotFoundOk = NotFoundOk ?? bucket.NotFoundOk,
            LastWriteWins = bucket.LastWriteWins,
            TombstoneReapDelay = bucket.TombstoneReapDelay,
            AcknowledgeBeforeQuorum = bucket.AcknowledgeBeforeQuorum,
        };
        effective.Validate(targetN);
        if (Timeout <= TimeSpan.Zero || Timeout > Runtime.TimerLimits.MaxDueTime)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout,
                $"QuorumOptions.Timeout must be positive and at most {Runtime.TimerLimits.MaxDueTimeText} (the longest a timer waits).");
        }

        return effective;
    }
}
