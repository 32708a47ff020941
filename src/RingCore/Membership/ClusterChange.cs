using System.Collections.Immutable;
using RingCore.Ring;

namespace RingCore.Membership;

/// <summary>What a staged cluster change does (riak-admin cluster join, leave, force-remove, replace).</summary>
public enum ClusterChangeKind
{
    /// <summary>A new node joins: it claims a fair share of the partitions, handed off by their owners.</summary>
    Join,

    /// <summary>A member leaves: it hands off every partition it owns, then exits the ring.</summary>
    Leave,

    /// <summary>
    /// A member that is gone for good is removed at once: its partitions get new owners with no
    /// handoff from it, and the new owners are filled from the other replicas.
    /// </summary>
    ForceRemove,

    /// <summary>A node that asked to join takes exactly the partitions of one member, which then exits.</summary>
    Replace,
}

/// <summary>One staged change to the cluster's membership.</summary>
/// <param name="Kind">What the change does.</param>
/// <param name="Member">The node that joins, leaves, is removed or is replaced.</param>
/// <param name="Replacement">For <see cref="ClusterChangeKind.Replace"/>: the node that takes <paramref name="Member"/>'s partitions.</param>
public sealed record ClusterChange(ClusterChangeKind Kind, string Member, string? Replacement = null)
{
    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ClusterChangeKind.Join => $"join {Member}",
        ClusterChangeKind.Leave => $"leave {Member}",
        ClusterChangeKind.ForceRemove => $"force-remove {Member}",
        _ => $"replace {Member} with {Replacement}",
    };
}

/// <summary>
/// What committing the staged changes would do (riak-admin cluster plan): the ring once every
/// transfer has completed and the transfers that get it there, computed by the claim's
/// minimal-movement rebalance.
/// </summary>
public sealed class ClusterPlan
{
    internal ClusterPlan(IReadOnlyList<ClusterChange> changes, string? stagedBy, RingState current, RingState? planned,
        ImmutableArray<PendingTransfer> transfers)
    {
        Changes = changes;
        StagedBy = stagedBy;
        Current = current;
        Planned = planned;
        Transfers = transfers;
    }

    /// <summary>The staged changes, in the order they were staged.</summary>
    public IReadOnlyList<ClusterChange> Changes { get; }

    /// <summary>The operator who staged them; null when nothing is staged.</summary>
    public string? StagedBy { get; }

    /// <summary>The claimant's ring now.</summary>
    public RingState Current { get; }

    /// <summary>The ring once the changes are committed and every transfer has completed; null when nothing is staged.</summary>
    public RingState? Planned { get; }

    /// <summary>The transfers a commit starts: ownership handoffs, and repairs of a force-removed member's partitions.</summary>
    public ImmutableArray<PendingTransfer> Transfers { get; }
}

/// <summary>A membership change the claimant refused (the message says why): nothing was staged or changed.</summary>
public sealed class ClusterChangeRefusedException : InvalidOperationException
{
    /// <summary>Creates the exception with the claimant's reason.</summary>
    public ClusterChangeRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the claimant's reason and the error behind it.</summary>
    public ClusterChangeRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ClusterChangeRefusedException()
        : base("The claimant refused the membership change.")
    {
    }
}
