using Orleans.Concurrency;

namespace RingCore.Benchmarks.Peers;

// The grains of the Orleans peer (see OrleansPeer). Each mirrors one RingCore actor type of the
// benchmarks: a grain method is the message, so no message object travels, which spares Orleans
// the Increment and Get instances the other frameworks send (one instance reused by all anyway).

/// <summary>The counter of the Tell benchmarks: one-way calls, counted down as the RingCore actor's state counts them.</summary>
public interface ICountdownGrain : IGrainWithStringKey
{
    /// <summary>One message; the caller does not wait for it.</summary>
    [OneWay]
    Task Increment();
}

/// <summary>The responder of the Ask benchmark.</summary>
public interface IResponderGrain : IGrainWithStringKey
{
    /// <summary>Replies with the grain's state.</summary>
    Task<long> Get();
}

/// <summary>The idle actor of the activation report.</summary>
public interface IIdleGrain : IGrainWithStringKey
{
    /// <summary>The one message that activates the grain; it only reports that it ran.</summary>
    [OneWay]
    Task Touch();
}

/// <summary>The durable counter: its state is written to grain storage before each call completes.</summary>
public interface IDurableCounterGrain : IGrainWithStringKey
{
    /// <summary>Adds one and writes the state; the caller does not wait for it.</summary>
    [OneWay]
    Task Increment();

    /// <summary>Adds one, writes the state and replies with the count.</summary>
    Task<long> IncrementAndGet();

    /// <summary>Replies with the count (no write).</summary>
    Task<long> Get();
}

/// <summary>The durable counter's state.</summary>
[GenerateSerializer]
public sealed class CounterState
{
    /// <summary>The count.</summary>
    [Id(0)]
    public long Count { get; set; }
}

/// <summary>Counts a key's messages down and signals after its last.</summary>
internal sealed class CountdownGrain(PeerWorkload workload) : Grain, ICountdownGrain
{
    private int _remaining = workload.MessagesPerKey;

    public Task Increment()
    {
        if (--_remaining == 0)
        {
            _remaining = workload.MessagesPerKey;
            workload.Signal.Signal();
        }

        return Task.CompletedTask;
    }
}

/// <summary>Replies with its state.</summary>
internal sealed class ResponderGrain : Grain, IResponderGrain
{
    public long State { get; set; }

    public Task<long> Get() => Task.FromResult(State);
}

/// <summary>An idle grain: a <see cref="long"/> state that never changes, and one call that only reports it ran.</summary>
internal sealed class IdleGrain(PeerWorkload workload) : Grain, IIdleGrain
{
    public long State { get; set; }

    public Task Touch()
    {
        workload.Signal.Signal();
        return Task.CompletedTask;
    }
}

/// <summary>A counter whose state lives in the silo's in-memory grain storage.</summary>
internal sealed class DurableCounterGrain(
    [PersistentState("counter", OrleansPeer.StorageName)] IPersistentState<CounterState> counter) : Grain, IDurableCounterGrain
{
    public Task Increment()
    {
        counter.State.Count++;
        return counter.WriteStateAsync();
    }

    public async Task<long> IncrementAndGet()
    {
        counter.State.Count++;
        await counter.WriteStateAsync();
        return counter.State.Count;
    }

    public Task<long> Get() => Task.FromResult(counter.State.Count);
}
