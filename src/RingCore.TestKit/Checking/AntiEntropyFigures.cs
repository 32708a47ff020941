namespace RingCore.TestKit.Checking;

/// <summary>
/// What active anti-entropy did in one run (issue 14), from the cluster's <c>ringcore.aae.*</c>
/// and <c>ringcore.store.corrupt_objects</c> counters; and, in an anti-entropy run
/// (<see cref="Schedules.Schedule.AntiEntropy"/>), the store damage and how long the primaries took to converge.
/// </summary>
public sealed record AntiEntropyFigures
{
    /// <summary>Exchanges that found the two trees equal (the roots only).</summary>
    public long ExchangesEqual { get; init; }

    /// <summary>Exchanges that found keys different and wrote them on either side.</summary>
    public long ExchangesRepaired { get; init; }

    /// <summary>Exchanges skipped: the peer down, a tree not built yet, a handoff running.</summary>
    public long ExchangesSkipped { get; init; }

    /// <summary>Exchanges abandoned: a request timed out or a peer answered something wrong.</summary>
    public long ExchangesFailed { get; init; }

    /// <summary>Every exchange started, whatever its outcome.</summary>
    public long Exchanges => ExchangesEqual + ExchangesRepaired + ExchangesSkipped + ExchangesFailed;

    /// <summary>Keys the exchanges found different and wrote on either side.</summary>
    public long KeysRepaired { get; init; }

    /// <summary>Bytes of the exchanges' requests and replies.</summary>
    public long Bytes { get; init; }

    /// <summary>Vnodes whose trees were built from a fold of their store (starts and rebuilds).</summary>
    public long TreesBuilt { get; init; }

    /// <summary>Stored objects that failed to decode when a node read them (each read counts).</summary>
    public long CorruptObjectsRead { get; init; }

    /// <summary>The node whose store the run damaged; null when it damaged none.</summary>
    public string? DamagedNode { get; init; }

    /// <summary>When the damage happened, from the start of the run.</summary>
    public TimeSpan DamagedAt { get; init; }

    /// <summary>Whether the damaged node was down at the damage (its trees were built from the damaged store at its restart).</summary>
    public bool DamagedWhileDown { get; init; }

    /// <summary>Objects the damage deleted.</summary>
    public int ObjectsDeleted { get; init; }

    /// <summary>Objects the damage overwrote with bytes that fail to decode.</summary>
    public int ObjectsCorrupted { get; init; }

    /// <summary>
    /// Damaged objects still as the damage left them when the cluster was healed (nothing wrote
    /// the key on that node since: no later write, read repair or handoff), which only
    /// anti-entropy can repair.
    /// </summary>
    public int ObjectsDamagedAtHeal { get; init; }

    /// <summary>
    /// How long after the cluster was healed and every node restarted the last key's primaries
    /// all held the merge of its replicas; null when they did not within <see cref="Bound"/>, or
    /// in a run that is no anti-entropy run.
    /// </summary>
    public TimeSpan? ConvergedAfter { get; init; }

    /// <summary>
    /// Read repairs counted between the heal and the converged primaries: the schedule's last
    /// reads finishing (the final check itself reads nothing through the nodes).
    /// </summary>
    public long ReadRepairsWhileWaiting { get; init; }

    /// <summary>How long the anti-entropy run waited at most (zero in other runs).</summary>
    public TimeSpan Bound { get; init; }
}
