using RingCore.Runtime;
using RingCore.Actors;

namespace RingCore.TestKit.Simulation;

/// <summary>
/// A single-threaded scheduler for a simulation: every mailbox turn, network delivery and
/// continuation posted to it waits in one pool of ready work, and <see cref="RunNext"/> picks
/// the next one with a seeded random generator, so one seed is one interleaving and a different
/// seed explores another (docs/architecture.md, testing architecture).
/// </summary>
/// <remarks>
/// It is also a <see cref="SynchronizationContext"/>: code awaited on the simulation's thread
/// without ConfigureAwait(false) (the simulation's own clients) resumes through it, in the same
/// seeded order. Enqueueing is thread-safe so that a stray thread-pool continuation is not lost,
/// but <see cref="ForeignPosts"/> counts work that arrived from another thread: a replay is exact
/// only while it stays 0.
/// </remarks>
public sealed class SimulationScheduler : SynchronizationContext, IWorkScheduler
{
    private readonly Lock _gate = new();
    private readonly List<WorkItem> _ready = [];
    private readonly Random _random;
    private int _ownerThread = -1;
    private long _ran;
    private long _foreign;

    /// <summary>Creates a scheduler whose choices come from <paramref name="seed"/>.</summary>
    public SimulationScheduler(int seed) => _random = new Random(seed);

    /// <summary>Work items run so far.</summary>
    public long Ran => Interlocked.Read(ref _ran);

    /// <summary>Work items queued from a thread other than the simulation's (0 in a deterministic run).</summary>
    public long ForeignPosts => Interlocked.Read(ref _foreign);

    /// <summary>How many work items are ready.</summary>
    public int Ready
    {
        get
        {
            lock (_gate)
            {
                return _ready.Count;
            }
        }
    }

    /// <inheritdoc />
    public void Schedule(IThreadPoolWorkItem workItem) => Enqueue(new WorkItem(workItem, null, null));

    /// <inheritdoc />
    public override void Post(SendOrPostCallback d, object? state) => Enqueue(new WorkItem(null, d, state));

    /// <inheritdoc />
    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("A simulation never blocks its one thread on itself.");

    /// <inheritdoc />
    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Marks the calling thread as the simulation's (work queued from others is counted in <see cref="ForeignPosts"/>).</summary>
    public void Own() => _ownerThread = Environment.CurrentManagedThreadId;

    /// <summary>Runs one ready work item, picked by the seeded generator; false when none is ready.</summary>
    public bool RunNext()
    {
        WorkItem item;
        lock (_gate)
        {
            if (_ready.Count == 0)
            {
                return false;
            }

            int index = _random.Next(_ready.Count);
            item = _ready[index];
            _ready[index] = _ready[^1];
            _ready.RemoveAt(_ready.Count - 1);
        }

        Interlocked.Increment(ref _ran);
        if (item.Item is { } workItem)
        {
            // Runtime work (turns, deliveries, coordinator resumptions) runs with no context
            // installed: the runtime inlines ConfigureAwait(false) continuations only on a thread
            // without one, and would hop to the thread pool otherwise.
            workItem.Execute();
        }
        else
        {
            // A continuation of the simulation's own code: it runs with this context installed,
            // so its next await comes back here too.
            SetSynchronizationContext(this);
            try
            {
                item.Callback!(item.State);
            }
            finally
            {
                SetSynchronizationContext(null);
            }
        }

        return true;
    }

    private void Enqueue(WorkItem item)
    {
        if (_ownerThread != -1 && Environment.CurrentManagedThreadId != _ownerThread)
        {
            Interlocked.Increment(ref _foreign);
        }

        lock (_gate)
        {
            _ready.Add(item);
        }
    }

    private readonly record struct WorkItem(IThreadPoolWorkItem? Item, SendOrPostCallback? Callback, object? State);
}
