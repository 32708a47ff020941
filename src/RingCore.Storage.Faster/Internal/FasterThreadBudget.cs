namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// Keeps FASTER from starving the thread pool it depends on. FASTER 2.6.5 on Linux does its file
/// I/O on pool threads (its ManagedLocalStorageDevice uses FileStream's async API, which .NET on
/// Unix runs as a blocking write on a pool thread) and makes other pool threads wait for that I/O:
/// a checkpoint blocks on its metadata write, an object-log page flush run from an epoch action
/// blocks on the object-log write, and an upsert that needs a page still being flushed spins.
/// With the pool's default minimum of one thread per core, a few such threads starve the very
/// I/O they wait for, and the pool adds threads only about twice a second. Measured on 2 cores
/// before this class: puts stalled 0.7 s to 8 s with one busy partition and 14 s to 50 s with
/// 16 to 64 busy partitions (thread dumps showed exactly those three waits).
/// </summary>
/// <remarks>
/// So, process-wide: at most <see cref="OperationSlots"/> FASTER calls and
/// <see cref="CheckpointSlots"/> checkpoints (or recoveries) run at once, their callers waiting
/// asynchronously, without a thread; and, when the host opts in
/// (<see cref="FasterStorageOptions.RaiseThreadPoolMinimum"/>), the pool's minimum is raised so
/// that threads stay free for the I/O they wait for. The limits are global because the pool is.
/// With both: no stall over 80 ms in the same runs. The minimum is opt-in because the pool is the
/// host's: the limits alone change nothing outside this library.
/// </remarks>
internal static class FasterThreadBudget
{
    /// <summary>FASTER calls (get, upsert, delete, a fold step) that may run at once: one per core.</summary>
    public static readonly int OperationSlots = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Checkpoints and recoveries that may run at once: half the cores, at least 2. Each blocks a
    /// thread on its metadata write. Measured on 2 cores, 64 busy partitions: 470 puts/s with 1,
    /// 560 with 2, 790 with 4 (at the cost of more threads).
    /// </summary>
    public static readonly int CheckpointSlots = Math.Max(2, Environment.ProcessorCount / 2);

    /// <summary>Threads kept free beyond the FASTER calls and checkpoints, for the I/O they wait on.</summary>
    private const int IoThreads = 4;

    public static SemaphoreSlim Operations { get; } = new(OperationSlots, OperationSlots);

    public static SemaphoreSlim Checkpoints { get; } = new(CheckpointSlots, CheckpointSlots);

    /// <summary>
    /// The thread pool's minimum worker threads that the limits above need (the figure
    /// <see cref="FasterStorageOptions.RaiseThreadPoolMinimum"/> documents). A checkpoint may hold
    /// two threads: its driver, and an epoch action it triggers.
    /// </summary>
    public static int ThreadPoolMinimum => OperationSlots + 2 * CheckpointSlots + IoThreads;

    /// <summary>
    /// Raises the thread pool's minimum worker threads to <see cref="ThreadPoolMinimum"/>; never
    /// lowers it. Checked at every opted-in open, not once per process, since the host may lower
    /// the minimum between opens; reading it costs nothing next to opening a store.
    /// </summary>
    public static void EnsureThreadPoolMinimum()
    {
        int needed = ThreadPoolMinimum;
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        if (workers < needed)
        {
            ThreadPool.SetMinThreads(needed, completionPorts);
        }
    }
}
