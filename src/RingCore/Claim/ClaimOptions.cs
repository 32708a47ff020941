namespace RingCore.Claim;

/// <summary>Settings of the claim algorithm.</summary>
public sealed class ClaimOptions
{
    /// <summary>The largest target_n accepted: windows wider than this make no sense for replica counts.</summary>
    public const int MaxTargetN = 64;

    /// <summary>
    /// The window within which no member may own two partitions (riak_core's
    /// <c>target_n_val</c>), so that any preference list of up to this many partitions lands on
    /// distinct members. Defaults to 4, one more than the usual n_val of 3, as in Riak, so a
    /// fallback can also be distinct.
    /// </summary>
    public int TargetN { get; init; } = 4;

    /// <summary>The options used when none are given.</summary>
    public static ClaimOptions Default { get; } = new();

    /// <summary>Throws a clear <see cref="ArgumentOutOfRangeException"/> when the options do not fit a ring of <paramref name="partitionCount"/>.</summary>
    public void Validate(int partitionCount)
    {
        if (TargetN < 1 || TargetN > MaxTargetN || TargetN > partitionCount)
        {
            throw new ArgumentOutOfRangeException(nameof(TargetN), TargetN,
                $"TargetN must be from 1 to {Math.Min(MaxTargetN, partitionCount)} for a ring of {partitionCount} partitions.");
        }
    }
}
