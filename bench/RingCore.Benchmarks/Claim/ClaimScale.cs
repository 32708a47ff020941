namespace RingCore.Benchmarks.Claim;

/// <summary>A ring size and a member count to claim it over: one row group of the claim table.</summary>
/// <param name="PartitionCount">Q.</param>
/// <param name="MemberCount">The members before a join or a leave.</param>
public sealed record ClaimScale(int PartitionCount, int MemberCount)
{
    /// <summary>How the scale reads in the results table, e.g. "Q=65536 over 100".</summary>
    public override string ToString() => $"Q={PartitionCount} over {MemberCount}";
}
