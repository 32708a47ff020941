using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Hosting;
using RingCore.Actors;
using RingCore.Benchmarks.Actors;
using RingCore.Node;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// Durable state next to Orleans (issue 16, point 4): a RingCore <see cref="ActorDurability.WriteThrough"/>
/// counter on the default memory store against an Orleans grain whose state is in the silo's
/// in-memory grain storage (<c>AddMemoryGrainStorage</c>) and written with
/// <c>WriteStateAsync</c> before each call completes. Every method reports ONE message.
/// </summary>
/// <remarks>
/// <para>Two workloads, because the two runtimes store at different moments:</para>
/// <list type="bullet">
/// <item><b>AskEach</b>: one caller adds one and awaits the stored count,
/// <see cref="AsksPerInvoke"/> times in turn. Both runtimes write once per message here: nothing
/// else is queued when a message is handled. This is the latency of a durable request.</item>
/// <item><b>Burst</b>: one sender Tells <see cref="BurstMessages"/> increments (Orleans: one-way
/// calls) and then asks for the count, which must equal every increment sent so far (a lost
/// message fails the run). A RingCore turn handles what is queued and stores once for the turn
/// (up to 64 messages); an Orleans grain is not reentrant, so each call awaits its own write
/// before the next one starts. This is what one hot actor sustains.</item>
/// </list>
/// <para>RingCore is each category's <c>Baseline</c>: a Ratio above 1.00 is how many times slower
/// Orleans is. Both stores keep a serialized copy: RingCore writes the state's JSON bytes to the
/// key's vnode store; Orleans' memory provider serializes the state and hands it to one of its
/// storage grains, a grain call per write (Orleans documents the provider for development and
/// tests; it is the in-memory provider the issue names).</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ActorBenchmarkConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PeerDurableStateBenchmarks
{
    /// <summary>Asks per invocation in the AskEach cases.</summary>
    public const int AsksPerInvoke = 1_000;

    /// <summary>Tells per invocation in the Burst cases (one Ask follows them).</summary>
    public const int BurstMessages = 2_000;

    private const string AskEach = "AskEach";
    private const string Burst = "Burst";
    private const string CounterType = "durable-counter";

    private readonly Increment _increment = new();
    private readonly IncrementAndGet _incrementAndGet = new();
    private readonly Get _get = new();

    // Set by the setup of the case that uses them.
    private RingNode? _node;
    private ActorRef _actor;
    private IHost? _silo;
    private IDurableCounterGrain? _grain;
    private long _expected;

    /// <summary>Starts a node (memory store) and activates the WriteThrough counter.</summary>
    [GlobalSetup(Targets = [nameof(RingCoreWriteThroughAsk), nameof(RingCoreWriteThroughBurst)])]
    public async Task SetupRingCore()
    {
        _node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 64 }, actors =>
            actors.Add<long>(CounterType, type => type
                .InitialState(_ => 0L)
                .On<Increment>((count, _, _) => count + 1)
                .On<IncrementAndGet, long>((count, _, _) => (count + 1, count + 1))
                .On<Get, long>((count, _, _) => (count, count))
                .WithDurability(ActorDurability.WriteThrough)));
        _actor = _node.GetActor(CounterType, PeerKeys.Name(0));
        _expected = await _actor.Ask<long>(_get);
    }

    /// <summary>Starts a silo with in-memory grain storage and activates the counter grain.</summary>
    [GlobalSetup(Targets = [nameof(OrleansWriteStateAsk), nameof(OrleansWriteStateBurst)])]
    public async Task SetupOrleans()
    {
        _silo = await OrleansPeer.StartAsync(new PeerWorkload(new CompletionSignal(), MessagesPerKey: 1));
        _grain = OrleansPeer.Grains(_silo).GetGrain<IDurableCounterGrain>(PeerKeys.Name(0));
        _expected = await _grain.Get();
    }

    /// <summary>Stops the node or the silo.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        await OrleansPeer.StopAsync(_silo);
    }

    /// <summary>Asks the WriteThrough counter to add one and awaits the stored count, a thousand times in turn.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = AsksPerInvoke)]
    [BenchmarkCategory(AskEach)]
    public async Task RingCoreWriteThroughAsk()
    {
        var actor = _actor;
        var message = _incrementAndGet;
        long count = 0;
        for (int i = 0; i < AsksPerInvoke; i++)
        {
            count = await actor.Ask<long>(message);
        }

        Check(count, AsksPerInvoke);
    }

    /// <summary>Calls the counter grain to add one, write its state and return the count, a thousand times in turn.</summary>
    [Benchmark(OperationsPerInvoke = AsksPerInvoke)]
    [BenchmarkCategory(AskEach)]
    public async Task OrleansWriteStateAsk()
    {
        var grain = _grain!;
        long count = 0;
        for (int i = 0; i < AsksPerInvoke; i++)
        {
            count = await grain.IncrementAndGet();
        }

        Check(count, AsksPerInvoke);
    }

    /// <summary>2,000 Tells and one Ask to the WriteThrough counter; one operation is one message.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = BurstMessages + 1)]
    [BenchmarkCategory(Burst)]
    public async Task RingCoreWriteThroughBurst()
    {
        var actor = _actor;
        var message = _increment;
        for (int i = 0; i < BurstMessages; i++)
        {
            actor.Tell(message);
        }

        Check(await actor.Ask<long>(_get), BurstMessages);
    }

    /// <summary>2,000 one-way calls and one call for the count to the counter grain; one operation is one message.</summary>
    [Benchmark(OperationsPerInvoke = BurstMessages + 1)]
    [BenchmarkCategory(Burst)]
    public async Task OrleansWriteStateBurst()
    {
        var grain = _grain!;
        for (int i = 0; i < BurstMessages; i++)
        {
            _ = grain.Increment();
        }

        Check(await grain.Get(), BurstMessages);
    }

    private void Check(long count, int added)
    {
        _expected += added;
        if (count != _expected)
        {
            throw new InvalidOperationException($"The counter reads {count}, not {_expected}: a message was lost.");
        }
    }
}
