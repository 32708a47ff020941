namespace RingCore.Ring;

/// <summary>
/// A partition move the claimant committed and that has not finished yet (riak_core_ring's
/// <c>next</c> list): <see cref="From"/> sends <see cref="To"/> the objects that the owner of
/// <see cref="Partition"/> replicates, and the ring records it here until <see cref="To"/>
/// acknowledged them all.
/// </summary>
/// <param name="Partition">The partition whose owner changes (or, for a repair, whose new owner is filled).</param>
/// <param name="From">The member that sends.</param>
/// <param name="To">The member that receives.</param>
/// <param name="Kind">An ownership handoff (the partition's owner flips to <see cref="To"/> when it completes) or a repair.</param>
public readonly record struct PendingTransfer(int Partition, string From, string To, TransferKind Kind);

/// <summary>What a <see cref="PendingTransfer"/> is for.</summary>
public enum TransferKind
{
    /// <summary>
    /// An ownership handoff (join, leave, replace): <see cref="PendingTransfer.From"/> owns the
    /// partition until the transfer completes; then ownership flips to <see cref="PendingTransfer.To"/>.
    /// </summary>
    Ownership,

    /// <summary>
    /// A repair after a force-remove: the partition already belongs to <see cref="PendingTransfer.To"/>,
    /// and a surviving replica (<see cref="PendingTransfer.From"/>) sends it the objects the removed
    /// member held (riak_kv's partition repair).
    /// </summary>
    Repair,
}
