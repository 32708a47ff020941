namespace RingCore.Ring;

/// <summary>A node of the cluster as the ring knows it: a unique name and its status.</summary>
/// <param name="Name">The member's unique name (compared ordinally, case-sensitive).</param>
/// <param name="Status">The member's life-cycle status.</param>
public sealed record RingMember(string Name, MemberStatus Status);
