using RingCore.TestKit.Simulation;
using RingCore.Actors;
using RingCore.Replication;
using RingCore.Node;
using RingCore.TestKit;

namespace RingCore.Tests.Replication;

/// <summary>
/// A <see cref="TestCluster"/> on a <see cref="ManualScheduler"/> (first in, first out) and the TestKit's <see cref="VirtualTimeProvider"/>:
/// everything runs on the test's thread, in one seeded order, and time moves only when the
/// driver advances it (1 ms at a time, whenever no work is left), so no test waits on the wall clock.
/// </summary>
internal sealed class FakeTimeCluster : IAsyncDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    public FakeTimeCluster(int members, int ringSize = 16, int seed = 1, BucketProperties? defaults = null,
        Action<ActorRegistry>? actors = null, RingNodeOptions? nodeOptions = null)
    {
        Cluster = new TestCluster(members, ringSize, seed: seed, time: Time, defaults: defaults, scheduler: Scheduler,
            configureActors: actors, nodeOptions: nodeOptions);
    }

    public ManualScheduler Scheduler { get; } = new();

    public VirtualTimeProvider Time { get; } = new();

    public TestCluster Cluster { get; }

    public RingNode Node(string name) => Cluster.Node(name);

    public RingNode Actors(string name) => Cluster.Actors(name);

    /// <summary>
    /// Runs the cluster until an Ask completes; its reply, or its exception rethrown. The Ask is
    /// polled rather than awaited: its continuations run on the thread pool, which would race
    /// the virtual clock.
    /// </summary>
    public T Run<T>(ValueTask<T> ask)
    {
        Drive(() => ask.IsCompleted);
        return ask.GetAwaiter().GetResult();
    }

    /// <summary>Runs the cluster until <paramref name="task"/> completes; its result, or its exception rethrown.</summary>
    public T Run<T>(Task<T> task)
    {
        Drive(() => task.IsCompleted);
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Runs the cluster until <paramref name="task"/> completes; rethrows its exception.</summary>
    public void Run(Task task)
    {
        Drive(() => task.IsCompleted);
        task.GetAwaiter().GetResult();
    }

    /// <summary>Runs the cluster until every node's failure detector agrees with the network (<see cref="TestCluster.AwaitDetectionAsync"/>); the virtual time it took.</summary>
    public TimeSpan AwaitDetection()
    {
        var started = Time.Elapsed;
        Run(Cluster.AwaitDetectionAsync());
        return Time.Elapsed - started;
    }

    /// <summary>Runs the cluster for <paramref name="duration"/> of virtual time (timeouts, delayed messages, read repair).</summary>
    public void Settle(TimeSpan duration)
    {
        var end = Time.GetUtcNow() + duration;
        WithoutContext(() =>
        {
            Scheduler.RunAll();
            while (Time.GetUtcNow() < end)
            {
                Time.Advance(Step);
                Scheduler.RunAll();
            }
        });
    }

    /// <summary>Stops the cluster, driving it meanwhile: passivation stores WriteBehind state through the simulated network.</summary>
    public ValueTask DisposeAsync()
    {
        Run(Cluster.DisposeAsync().AsTask());
        return ValueTask.CompletedTask;
    }

    private void Drive(Func<bool> done)
    {
        var deadline = Time.GetUtcNow() + Limit;
        WithoutContext(() =>
        {
            Scheduler.RunAll();
            while (!done())
            {
                if (Time.GetUtcNow() > deadline)
                {
                    throw new TimeoutException($"The operation did not complete within {Limit} of virtual time.");
                }

                Time.Advance(Step);
                Scheduler.RunAll();
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="action"/> without xUnit's SynchronizationContext: with one installed,
    /// the runtime never inlines a ConfigureAwait(false) continuation and queues it to the thread
    /// pool instead, which would take the cluster off this thread.
    /// </summary>
    private static void WithoutContext(Action action)
    {
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            action();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }
}
