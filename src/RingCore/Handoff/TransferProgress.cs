namespace RingCore.Handoff;

/// <summary>What a running transfer is for.</summary>
public enum TransferProgressKind
{
    /// <summary>An ownership handoff of the ring's pending transfers (join, leave, replace).</summary>
    Ownership,

    /// <summary>A repair of a force-removed member's partition.</summary>
    Repair,

    /// <summary>Hinted handoff: a fallback's (or a former owner's) objects going back to their primaries.</summary>
    Hinted,
}

/// <summary>A transfer this node is sending now (riak-admin transfers), with how far it got.</summary>
/// <param name="Partition">The partition (of an ownership transfer or repair), or the vnode whose objects a hinted handoff sends.</param>
/// <param name="From">The sending node (this one).</param>
/// <param name="To">The receiving node.</param>
/// <param name="Kind">What the transfer is for.</param>
/// <param name="Objects">Objects sent and acknowledged so far.</param>
/// <param name="Bytes">Their bytes (keys and values).</param>
/// <param name="StartedAt">When it started, by the node's clock.</param>
/// <param name="Elapsed">How long it has run.</param>
public sealed record TransferProgress(int Partition, string From, string To, TransferProgressKind Kind, long Objects, long Bytes,
    DateTimeOffset StartedAt, TimeSpan Elapsed)
{
    /// <summary>
    /// The objects it will send at most (an ownership transfer or repair), counted the first time
    /// a report asked. Null until that count is done, and for a hinted handoff.
    /// </summary>
    public long? ObjectsTotal { get; init; }

    /// <summary>Bytes per second since it started; 0 before any time passed.</summary>
    public double BytesPerSecond => Elapsed > TimeSpan.Zero ? Bytes / Elapsed.TotalSeconds : 0;
}
