namespace RingCore.Ring;

/// <summary>
/// Where a member stands in the ring's life cycle. The states are riak_core's
/// (riak_core_ring member_status): a member joins, becomes valid, leaves, and exits once
/// its partitions have been handed off; <see cref="Down"/> marks a member that is
/// unreachable but still owns its partitions.
/// </summary>
public enum MemberStatus
{
    /// <summary>Staged to join; owns partitions only after the claim that admits it is committed.</summary>
    Joining,

    /// <summary>A full member that may own partitions.</summary>
    Valid,

    /// <summary>Staged to leave; still owns partitions until their handoff completes.</summary>
    Leaving,

    /// <summary>Has handed off everything and is about to be removed from the ring.</summary>
    Exiting,

    /// <summary>Marked down by an operator; keeps its ownership, others stand in as fallbacks.</summary>
    Down,
}
