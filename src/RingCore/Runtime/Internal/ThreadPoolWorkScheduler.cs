namespace RingCore.Runtime;

/// <summary>Runs mailbox turns and coordinator continuations on the .NET thread pool (the default scheduler).</summary>
internal sealed class ThreadPoolWorkScheduler : IWorkScheduler
{
    /// <summary>The shared instance.</summary>
    public static ThreadPoolWorkScheduler Instance { get; } = new();

    /// <inheritdoc />
    /// <remarks>
    /// A first turn goes on the sending thread's local queue when the sender is a pool thread:
    /// cheaper than the shared global queue, and idle workers steal from it. With a thousand
    /// actors and two senders this measured 56.6 ns per Tell against 68.1 ns on the global
    /// queue (bench/README.md).
    /// </remarks>
    public void Schedule(IThreadPoolWorkItem workItem) => ThreadPool.UnsafeQueueUserWorkItem(workItem, preferLocal: true);

    /// <inheritdoc />
    /// <remarks>
    /// The global queue, first in first out: a local queue is popped last in first out by its
    /// own thread, which would run the yielding actor again at once and defeat the turn limit.
    /// </remarks>
    public void Yield(IThreadPoolWorkItem workItem) => ThreadPool.UnsafeQueueUserWorkItem(workItem, preferLocal: false);
}
