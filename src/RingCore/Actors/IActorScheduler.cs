namespace RingCore.Actors;

/// <summary>
/// Where mailbox turns run. The default queues them on the thread pool; a deterministic
/// simulation replaces it with a single-threaded, seeded scheduler (DESIGN.md, testing
/// architecture), which is why no actor code queues work any other way.
/// </summary>
public interface IActorScheduler
{
    /// <summary>Runs <paramref name="workItem"/> soon, on a thread of the scheduler's choosing.</summary>
    void Schedule(IThreadPoolWorkItem workItem);
}
