namespace RingCore.TestKit.Simulation;

/// <summary>
/// Runs asynchronous code and everything it sets off (mailbox turns, network deliveries,
/// timers) on the calling thread in one seeded order, with virtual time that moves to the next
/// timer whenever no work is ready: the same seed gives the same run. Hand <see cref="Scheduler"/>
/// and <see cref="Time"/> to a <see cref="TestCluster"/>, then <see cref="Run{T}"/> the test body.
/// </summary>
public sealed class Simulator
{
    /// <summary>Creates a simulation whose scheduling choices come from <paramref name="seed"/>.</summary>
    public Simulator(int seed)
    {
        Seed = seed;
        Scheduler = new SimulationScheduler(seed);
    }

    /// <summary>The seed of the scheduling choices.</summary>
    public int Seed { get; }

    /// <summary>The single-threaded, seeded scheduler.</summary>
    public SimulationScheduler Scheduler { get; }

    /// <summary>The virtual clock.</summary>
    public VirtualTimeProvider Time { get; } = new();

    /// <summary>
    /// Runs <paramref name="body"/> to completion: ready work first, in seeded order, then the
    /// clock to the next timer. Fails with <see cref="TimeoutException"/> when the body has not
    /// finished within <paramref name="limit"/> of virtual time, and with
    /// <see cref="InvalidOperationException"/> when it waits on something that nothing will ever
    /// complete (no work ready, no timer armed): a stuck mailbox or a lost continuation.
    /// </summary>
    public T Run<T>(Func<Task<T>> body, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(body);
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(Scheduler);
        Scheduler.Own();
        try
        {
            var task = body(); // its awaits capture the scheduler as their context
            SynchronizationContext.SetSynchronizationContext(null);
            while (!task.IsCompleted)
            {
                if (Scheduler.RunNext())
                {
                    continue;
                }

                if (Time.Elapsed > limit)
                {
                    throw new TimeoutException($"The simulation (seed {Seed}) did not finish within {limit} of virtual time.");
                }

                if (!Time.AdvanceToNextTimer())
                {
                    throw new InvalidOperationException(
                        $"The simulation (seed {Seed}) is stuck at {Time.Elapsed}: nothing is ready and no timer is armed, but the run has not finished.");
                }
            }

            return task.GetAwaiter().GetResult();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Waits <paramref name="delay"/> of virtual time (for the simulation's own code).</summary>
    public Task Delay(TimeSpan delay) => delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, Time);
}
