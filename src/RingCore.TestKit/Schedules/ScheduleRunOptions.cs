using RingCore.Replication;

namespace RingCore.TestKit.Schedules;

/// <summary>How a schedule runs: the cluster's bucket properties and the clients' timeouts.</summary>
public sealed record ScheduleRunOptions
{
    /// <summary>Bucket properties of every bucket, the counter actors' included. Defaults to N=3, R=2, W=2.</summary>
    public BucketProperties Bucket { get; init; } = new() { N = 3, R = 2, W = 2 };

    /// <summary>Partitions in the ring. Defaults to 16.</summary>
    public int RingSize { get; init; } = 16;

    /// <summary>How long a client waits for a get, put or delete. Defaults to 1 second.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a client waits for an actor ask (activation reads and writes with quorums first). Defaults to 12 seconds.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>
    /// Whether the nodes hand back what they hold for others (<see cref="RingCore.Handoff.HandoffOptions.HintedHandoff"/>).
    /// Defaults to true. Off, fallbacks and former owners keep their copies, and a membership run
    /// fails its "nothing misplaced once settled" check: the suite's own proof that the check can fail.
    /// </summary>
    public bool HintedHandoff { get; init; } = true;

    /// <summary>
    /// Whether the nodes run active anti-entropy (<see cref="RingCore.AntiEntropy.AntiEntropyOptions.Enabled"/>).
    /// Defaults to true. Off, an anti-entropy run (<see cref="Schedule.AntiEntropy"/>) fails its
    /// wait for converged primaries: the suite's own proof that the wait can fail.
    /// </summary>
    public bool AntiEntropy { get; init; } = true;

    /// <summary>The actor type the schedule's actor asks exercise. Defaults to <see cref="GCounter.Workload"/>.</summary>
    public ActorWorkload Workload { get; init; } = GCounter.Workload;

    /// <summary>Called after each step is started, with the step's index (a progress bar).</summary>
    public Action<int>? Progress { get; init; }
}
