namespace RingCore.Ring;

/// <summary>A node of the cluster as the ring knows it: a unique name and its status.</summary>
/// <param name="Name">The member's unique name (compared ordinally, case-sensitive), 1 to <see cref="MaxNameBytes"/> UTF-8 bytes.</param>
/// <param name="Status">The member's life-cycle status.</param>
public sealed record RingMember(string Name, MemberStatus Status)
{
    /// <summary>
    /// The longest member name, in UTF-8 bytes: 1024. Names are host names or short labels; every
    /// vnode's replica id hashes its node's name (see <see cref="Causality.ReplicaId"/>), and a ring,
    /// a node's options and ringctl all refuse a longer one.
    /// </summary>
    public const int MaxNameBytes = 1024;
}
