namespace RingCore.Actors;

/// <summary>Runs mailbox turns on the .NET thread pool (the default scheduler).</summary>
public sealed class ThreadPoolActorScheduler : IActorScheduler
{
    /// <summary>The shared instance.</summary>
    public static ThreadPoolActorScheduler Instance { get; } = new();

    /// <inheritdoc />
    public void Schedule(IThreadPoolWorkItem workItem) =>
        // preferLocal: false puts turns on the global queue, so one busy worker's local queue
        // cannot starve other actors (fairness across keys).
        ThreadPool.UnsafeQueueUserWorkItem(workItem, preferLocal: false);
}
