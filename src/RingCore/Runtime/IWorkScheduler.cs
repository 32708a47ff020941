namespace RingCore.Runtime;

/// <summary>
/// Where mailbox turns, message deliveries and coordinator continuations run. The default queues them on the thread pool; a deterministic
/// simulation replaces it with a single-threaded, seeded scheduler (docs/architecture.md, testing
/// architecture), which is why no actor code queues work any other way.
/// </summary>
public interface IWorkScheduler
{
    /// <summary>Runs <paramref name="workItem"/> soon, on a thread of the scheduler's choosing (an idle actor's first turn).</summary>
    void Schedule(IThreadPoolWorkItem workItem);

    /// <summary>
    /// Runs <paramref name="workItem"/> again after the work already waiting: an actor that hit
    /// its per-turn message limit yields its thread this way, so other actors get their turn
    /// (fairness across keys). Defaults to <see cref="Schedule"/>.
    /// </summary>
    void Yield(IThreadPoolWorkItem workItem) => Schedule(workItem);
}
