using RingCore.Runtime;
using RingCore.Actors;

namespace RingCore.Tests;

/// <summary>A scheduler that only queues work; the test runs it, in order, on its own thread.</summary>
internal sealed class ManualScheduler : IWorkScheduler
{
    private readonly Queue<IThreadPoolWorkItem> _queue = new();

    public int Pending
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count;
            }
        }
    }

    public void Schedule(IThreadPoolWorkItem workItem)
    {
        lock (_queue)
        {
            _queue.Enqueue(workItem);
        }
    }

    /// <summary>Runs queued work, including work queued meanwhile, until none is left; returns how many items ran.</summary>
    public int RunAll()
    {
        int ran = 0;
        while (true)
        {
            IThreadPoolWorkItem? next;
            lock (_queue)
            {
                if (!_queue.TryDequeue(out next))
                {
                    return ran;
                }
            }

            next.Execute();
            ran++;
        }
    }
}
