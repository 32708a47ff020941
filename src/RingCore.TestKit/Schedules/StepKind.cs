namespace RingCore.TestKit.Schedules;

/// <summary>What one step of a fault schedule does.</summary>
public enum StepKind
{
    /// <summary>A client writes a new, unique value to a key, with the context of its last read or write of it.</summary>
    PutWithContext,

    /// <summary>A client writes a new, unique value to a key with no context (a blind write: it supersedes nothing).</summary>
    PutBlind,

    /// <summary>A client reads a key.</summary>
    Get,

    /// <summary>A client deletes a key, with the context of its last read or write of it.</summary>
    Delete,

    /// <summary>A client asks an actor of the run's workload (by default a counter, to add one).</summary>
    ActorAsk,

    /// <summary>The network splits into the given sides.</summary>
    Partition,

    /// <summary>Every partition ends.</summary>
    Heal,

    /// <summary>A node crashes (its stores survive).</summary>
    Crash,

    /// <summary>A crashed node starts again with its stores.</summary>
    Restart,

    /// <summary>A node loses its disk and starts again empty (at most one a schedule: N=3, W=2 promises to survive one).</summary>
    Wipe,

    /// <summary>The network starts dropping, duplicating and delaying messages at the given rates (zero rates: a clean network).</summary>
    NetworkFaults,

    /// <summary>
    /// Part of a node's stores is damaged beneath it (<see cref="TestCluster.DamageStoresAsync"/>):
    /// objects are deleted or overwritten with bytes that fail to decode, and the node is not told.
    /// At most one a schedule, in place of the wipe (<see cref="ScheduleShape.AntiEntropy"/>).
    /// </summary>
    DamageStore,

    /// <summary>A new node starts empty and joins the cluster through a member (join, plan, commit); its share of partitions is handed to it.</summary>
    Join,

    /// <summary>A member leaves: it hands off every partition it owns, then exits (leave, plan, commit).</summary>
    Leave,

    /// <summary>A crashed member is removed for good: its partitions get new owners, filled from the other replicas (force-remove, plan, commit).</summary>
    ForceRemove,

    /// <summary>A new node starts empty and takes exactly the partitions of a member, which then exits (join, replace, plan, commit).</summary>
    Replace,
}
