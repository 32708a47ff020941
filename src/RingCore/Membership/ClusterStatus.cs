using System.Collections.Immutable;
using RingCore.Ring;

namespace RingCore.Membership;

/// <summary>
/// The cluster as one node sees it (riak-admin member-status and ring-status): its ring, each
/// member's status, share and reachability by this node's failure detector, the claimant and the
/// transfers still pending.
/// </summary>
public sealed class ClusterStatus
{
    internal ClusterStatus(string node, RingState ring, string? claimant, bool claimantReachable, IReadOnlyList<MemberState> members)
    {
        Node = node;
        RingVersion = ring.Version;
        ClusterId = ring.ClusterId;
        PartitionCount = ring.PartitionCount;
        Claimant = claimant;
        ClaimantReachable = claimantReachable;
        Members = members;
        PendingTransfers = ring.Transfers;
    }

    /// <summary>The node that answered.</summary>
    public string Node { get; }

    /// <summary>The version of its ring.</summary>
    public long RingVersion { get; }

    /// <summary>The cluster's id (the same on every member).</summary>
    public ulong ClusterId { get; }

    /// <summary>The ring's partition count.</summary>
    public int PartitionCount { get; }

    /// <summary>The claimant by the ring (the first valid member by name); null when no member is valid.</summary>
    public string? Claimant { get; }

    /// <summary>Whether the answering node sees the claimant up.</summary>
    public bool ClaimantReachable { get; }

    /// <summary>Every member of the ring, by name.</summary>
    public IReadOnlyList<MemberState> Members { get; }

    /// <summary>The transfers the ring still lists (ownership handoffs and repairs not finished).</summary>
    public ImmutableArray<PendingTransfer> PendingTransfers { get; }
}

/// <summary>One member in a <see cref="ClusterStatus"/>.</summary>
/// <param name="Name">The member's name.</param>
/// <param name="Status">Its status in the ring.</param>
/// <param name="Reachable">Whether the answering node's failure detector sees it up (the answering node itself: always).</param>
/// <param name="Partitions">The partitions it owns now.</param>
/// <param name="PendingPartitions">The partitions it will own once the pending ownership transfers completed.</param>
public sealed record MemberState(string Name, MemberStatus Status, bool Reachable, int Partitions, int PendingPartitions);
