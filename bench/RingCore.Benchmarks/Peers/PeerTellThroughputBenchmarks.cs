using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Hosting;
using RingCore.Actors;
using RingCore.Benchmarks.Actors;
using RingCore.Node;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// Tell throughput next to the peers (issue 16, point 1): RingCore's two cases of
/// <see cref="TellThroughputBenchmarks"/>, one sender to one actor and two senders to a thousand,
/// with the same messages, counts and handler in Proto.Actor, Akka.NET and Orleans (one-way grain
/// calls). Every method reports the time and allocation of ONE message: sent, handled, and
/// waited for.
/// </summary>
/// <remarks>
/// <para>The RingCore rows are exactly the existing cases (same node, actor type, message count
/// and completion signal), so their figures stay comparable with the ones in bench/README.md.
/// RingCore is each category's <c>Baseline</c>: a Ratio above 1.00 is how many times slower the
/// peer is.</para>
/// <para>Each actor counts its messages down in a field and signals after the last one of the
/// invocation, as RingCore's counter does in its state. The sender holds a direct reference in
/// every framework (an <see cref="ActorRef"/>, a PID, an <c>IActorRef</c>, a grain reference)
/// made in the setup; the one <see cref="Increment"/> instance is sent over and over (Orleans
/// sends no message object: the call is the message). Every framework runs with its defaults
/// (see <see cref="ProtoActorPeer"/>, <see cref="AkkaPeer"/>, <see cref="OrleansPeer"/>).</para>
/// <para>One exception: <see cref="OrleansOneToOne"/> sends <see cref="OrleansOneToOneMessages"/>
/// calls per invocation, not a million. A sender outruns one grain, and Orleans keeps a grain's
/// waiting calls in a list that it removes each call from at the head, so the cost per call grows
/// with the backlog: a probe measured 3 to 8 us a call with 10,000 queued, 11 to 28 us with
/// 100,000 and 54 us with a million, and in two of seven invocations of a million a call never
/// arrived (Orleans drops a message older than its 30 s time to live), which failed the case. The shorter
/// backlog favours Orleans; the other cases keep the million.</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ActorBenchmarkConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PeerTellThroughputBenchmarks
{
    private const int MessageCount = TellThroughputBenchmarks.MessageCount;
    private const int KeyCount = TellThroughputBenchmarks.KeyCount;
    private const int SenderCount = 2;
    private const int MessagesPerSender = MessageCount / SenderCount;
    private const string OneToOne = "OneToOne";
    private const string ThousandKeys = "ThousandKeys";
    private const string CounterType = "counter";

    /// <summary>Calls per invocation of <see cref="OrleansOneToOne"/> (see the remarks).</summary>
    public const int OrleansOneToOneMessages = 10_000;

    private readonly Increment _increment = new();
    private readonly CompletionSignal _signal = new();

    // Set by the setup of the case that uses them.
    private RingNode? _node;
    private ActorRef[] _actors = [];
    private Proto.ActorSystem? _proto;
    private Proto.PID[] _pids = [];
    private Akka.Actor.ActorSystem? _akka;
    private Akka.Actor.IActorRef[] _akkaActors = [];
    private IHost? _silo;
    private ICountdownGrain[] _grains = [];

    /// <summary>Starts a node and activates its one counter actor.</summary>
    [GlobalSetup(Target = nameof(RingCoreOneToOne))]
    public async Task SetupRingCoreOne()
    {
        await StartRingCoreAsync(1);
        RingCoreOneToOne();
    }

    /// <summary>Starts a node and activates its thousand counter actors.</summary>
    [GlobalSetup(Target = nameof(RingCoreThousandActors))]
    public async Task SetupRingCoreThousand()
    {
        await StartRingCoreAsync(KeyCount);
        RingCoreThousandActors();
    }

    /// <summary>Starts a Proto.Actor system and spawns one counter.</summary>
    [GlobalSetup(Target = nameof(ProtoActorOneToOne))]
    public void SetupProtoActorOne()
    {
        StartProtoActor(1);
        ProtoActorOneToOne();
    }

    /// <summary>Starts a Proto.Actor system and spawns a thousand counters.</summary>
    [GlobalSetup(Target = nameof(ProtoActorThousandActors))]
    public void SetupProtoActorThousand()
    {
        StartProtoActor(KeyCount);
        ProtoActorThousandActors();
    }

    /// <summary>Starts an Akka.NET system and creates one counter.</summary>
    [GlobalSetup(Target = nameof(AkkaOneToOne))]
    public void SetupAkkaOne()
    {
        StartAkka(1);
        AkkaOneToOne();
    }

    /// <summary>Starts an Akka.NET system and creates a thousand counters.</summary>
    [GlobalSetup(Target = nameof(AkkaThousandActors))]
    public void SetupAkkaThousand()
    {
        StartAkka(KeyCount);
        AkkaThousandActors();
    }

    /// <summary>Starts a silo and activates one counter grain.</summary>
    [GlobalSetup(Target = nameof(OrleansOneToOne))]
    public async Task SetupOrleansOne()
    {
        await StartOrleansAsync(1, OrleansOneToOneMessages);
        OrleansOneToOne();
    }

    /// <summary>Starts a silo and activates a thousand counter grains.</summary>
    [GlobalSetup(Target = nameof(OrleansThousandGrains))]
    public async Task SetupOrleansThousand()
    {
        await StartOrleansAsync(KeyCount, MessageCount / KeyCount);
        OrleansThousandGrains();
    }

    /// <summary>Stops whatever the case's setup started.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        if (_proto is not null)
        {
            await _proto.ShutdownAsync();
        }

        if (_akka is not null)
        {
            await _akka.Terminate();
        }

        await OrleansPeer.StopAsync(_silo);
    }

    /// <summary>One thread Tells one Ephemeral RingCore actor a million times.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(OneToOne)]
    public void RingCoreOneToOne()
    {
        _signal.Expect(1);
        var actor = _actors[0];
        var message = _increment;
        for (int i = 0; i < MessageCount; i++)
        {
            actor.Tell(message);
        }

        _signal.Wait();
    }

    /// <summary>One thread sends one Proto.Actor actor a million messages from the root context.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(OneToOne)]
    public void ProtoActorOneToOne()
    {
        _signal.Expect(1);
        var root = _proto!.Root;
        var pid = _pids[0];
        var message = _increment;
        for (int i = 0; i < MessageCount; i++)
        {
            root.Send(pid, message);
        }

        _signal.Wait();
    }

    /// <summary>One thread Tells one Akka.NET actor a million messages (no sender).</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(OneToOne)]
    public void AkkaOneToOne()
    {
        _signal.Expect(1);
        var actor = _akkaActors[0];
        var message = _increment;
        for (int i = 0; i < MessageCount; i++)
        {
            actor.Tell(message, Akka.Actor.ActorRefs.NoSender);
        }

        _signal.Wait();
    }

    /// <summary>One thread makes ten thousand one-way calls to one Orleans grain (see the remarks for why not a million).</summary>
    [Benchmark(OperationsPerInvoke = OrleansOneToOneMessages)]
    [BenchmarkCategory(OneToOne)]
    public void OrleansOneToOne()
    {
        _signal.Expect(1);
        var grain = _grains[0];
        for (int i = 0; i < OrleansOneToOneMessages; i++)
        {
            _ = grain.Increment();
        }

        _signal.Wait();
    }

    /// <summary>Two sender tasks Tell a thousand RingCore actors round-robin, a million messages in all.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(ThousandKeys)]
    public void RingCoreThousandActors()
    {
        _signal.Expect(KeyCount);
        Task.WaitAll(
            Task.Run(() => TellRingCore(firstKey: 0)),
            Task.Run(() => TellRingCore(firstKey: KeyCount / SenderCount)));
        _signal.Wait();
    }

    /// <summary>Two sender tasks send to a thousand Proto.Actor actors round-robin, a million messages in all.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(ThousandKeys)]
    public void ProtoActorThousandActors()
    {
        _signal.Expect(KeyCount);
        Task.WaitAll(
            Task.Run(() => SendProtoActor(firstKey: 0)),
            Task.Run(() => SendProtoActor(firstKey: KeyCount / SenderCount)));
        _signal.Wait();
    }

    /// <summary>Two sender tasks Tell a thousand Akka.NET actors round-robin, a million messages in all.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(ThousandKeys)]
    public void AkkaThousandActors()
    {
        _signal.Expect(KeyCount);
        Task.WaitAll(
            Task.Run(() => TellAkka(firstKey: 0)),
            Task.Run(() => TellAkka(firstKey: KeyCount / SenderCount)));
        _signal.Wait();
    }

    /// <summary>Two sender tasks call a thousand Orleans grains one-way round-robin, a million calls in all.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(ThousandKeys)]
    public void OrleansThousandGrains()
    {
        _signal.Expect(KeyCount);
        Task.WaitAll(
            Task.Run(() => CallOrleans(firstKey: 0)),
            Task.Run(() => CallOrleans(firstKey: KeyCount / SenderCount)));
        _signal.Wait();
    }

    // Copies rather than one loop over a delegate, as in TellThroughputBenchmarks: no delegate
    // call per message in anyone's measured time. Each sender starts at its own key.
    private void TellRingCore(int firstKey)
    {
        var actors = _actors;
        var message = _increment;
        int key = firstKey;
        for (int i = 0; i < MessagesPerSender; i++)
        {
            actors[key].Tell(message);
            if (++key == actors.Length)
            {
                key = 0;
            }
        }
    }

    private void SendProtoActor(int firstKey)
    {
        var root = _proto!.Root;
        var pids = _pids;
        var message = _increment;
        int key = firstKey;
        for (int i = 0; i < MessagesPerSender; i++)
        {
            root.Send(pids[key], message);
            if (++key == pids.Length)
            {
                key = 0;
            }
        }
    }

    private void TellAkka(int firstKey)
    {
        var actors = _akkaActors;
        var message = _increment;
        int key = firstKey;
        for (int i = 0; i < MessagesPerSender; i++)
        {
            actors[key].Tell(message, Akka.Actor.ActorRefs.NoSender);
            if (++key == actors.Length)
            {
                key = 0;
            }
        }
    }

    private void CallOrleans(int firstKey)
    {
        var grains = _grains;
        int key = firstKey;
        for (int i = 0; i < MessagesPerSender; i++)
        {
            _ = grains[key].Increment();
            if (++key == grains.Length)
            {
                key = 0;
            }
        }
    }

    // The same node and actor type as TellThroughputBenchmarks.
    private async Task StartRingCoreAsync(int keyCount)
    {
        int messagesPerKey = MessageCount / keyCount;
        var signal = _signal;
        _node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 64 }, actors =>
            actors.Add<int>(CounterType, type => type
                .InitialState(_ => messagesPerKey)
                .On<Increment>((remaining, _, _) =>
                {
                    if (remaining > 1)
                    {
                        return remaining - 1;
                    }

                    signal.Signal();
                    return messagesPerKey;
                })
                .WithDurability(ActorDurability.Ephemeral)));
        _actors = ActorKeys.Create(_node, CounterType, keyCount);
    }

    private void StartProtoActor(int keyCount)
    {
        _proto = ProtoActorPeer.Start();
        var props = Proto.Props.FromProducer(() => new ProtoActorPeer.Countdown(_signal, MessageCount / keyCount));
        _pids = new Proto.PID[keyCount];
        for (int key = 0; key < keyCount; key++)
        {
            _pids[key] = _proto.Root.SpawnNamed(props, PeerKeys.Name(key));
        }
    }

    private void StartAkka(int keyCount)
    {
        _akka = AkkaPeer.Start();
        var props = Akka.Actor.Props.Create(() => new AkkaPeer.Countdown(_signal, MessageCount / keyCount));
        _akkaActors = new Akka.Actor.IActorRef[keyCount];
        for (int key = 0; key < keyCount; key++)
        {
            _akkaActors[key] = _akka.ActorOf(props, PeerKeys.Name(key));
        }
    }

    private async Task StartOrleansAsync(int keyCount, int messagesPerKey)
    {
        _silo = await OrleansPeer.StartAsync(new PeerWorkload(_signal, messagesPerKey));
        var factory = OrleansPeer.Grains(_silo);
        _grains = new ICountdownGrain[keyCount];
        for (int key = 0; key < keyCount; key++)
        {
            _grains[key] = factory.GetGrain<ICountdownGrain>(PeerKeys.Name(key));
        }
    }
}
