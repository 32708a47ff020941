namespace RingCore.Claim;

/// <summary>One partition that a claim moves from one member to another (an ownership handoff).</summary>
/// <param name="Partition">The partition index.</param>
/// <param name="From">The member that owns it now.</param>
/// <param name="To">The member that will own it.</param>
public readonly record struct PartitionTransfer(int Partition, string From, string To);
