using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Hosting;
using Proto;
using RingCore.Actors;
using RingCore.Benchmarks.Actors;
using RingCore.Node;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// The Ask round trip next to the peers (issue 16, point 2): one caller, one actor, a request
/// and its reply, one at a time. RingCore's <c>Ask</c> (the case of
/// <see cref="AskRoundTripBenchmarks"/>), Proto.Actor's <c>RequestAsync</c>, Akka.NET's
/// <c>Ask</c> and an Orleans grain call that returns a value. Every method reports ONE round trip.
/// </summary>
/// <remarks>
/// <para>As in <see cref="AskRoundTripBenchmarks"/>, an invocation makes
/// <see cref="RoundTripsPerInvoke"/> round trips in one async loop, so the blocked benchmark
/// thread wakes once per thousand. The actor replies with its <see cref="long"/> state, and the
/// one <see cref="Get"/> instance is the request (Orleans sends none: the call is the request).
/// RingCore is the <c>Baseline</c>: a Ratio above 1.00 is how many times slower the peer is.</para>
/// <para>Each framework's default timeout stays on: RingCore 30 s, Proto.Actor's
/// <c>ActorRequestTimeout</c> (5 s), Orleans' response timeout (30 s); Akka.NET's default Ask has
/// no timeout.</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ActorBenchmarkConfig))]
public class PeerAskRoundTripBenchmarks
{
    /// <summary>Round trips per invocation.</summary>
    public const int RoundTripsPerInvoke = AskRoundTripBenchmarks.RoundTripsPerInvoke;

    private const string CounterType = "counter";

    private readonly Get _get = new();

    // Set by the setup of the case that uses them.
    private RingNode? _node;
    private ActorRef _actor;
    private Proto.ActorSystem? _proto;
    private PID? _pid;
    private Akka.Actor.ActorSystem? _akka;
    private IActorRef? _akkaActor;
    private IHost? _silo;
    private IResponderGrain? _grain;

    /// <summary>Starts a node and activates its one actor, as <see cref="AskRoundTripBenchmarks"/> does.</summary>
    [GlobalSetup(Target = nameof(RingCoreAsk))]
    public async Task SetupRingCore()
    {
        _node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 64 }, actors =>
            actors.Add<long>(CounterType, type => type
                .InitialState(_ => 0L)
                .On<Get, long>((state, _, _) => (state, state))
                .WithDurability(ActorDurability.Ephemeral)));
        _actor = _node.GetActor(CounterType, PeerKeys.Name(0));
        await RingCoreAsk();
    }

    /// <summary>Starts a Proto.Actor system and spawns the responder.</summary>
    [GlobalSetup(Target = nameof(ProtoActorRequestAsync))]
    public async Task SetupProtoActor()
    {
        _proto = ProtoActorPeer.Start();
        _pid = _proto.Root.SpawnNamed(Proto.Props.FromProducer(() => new ProtoActorPeer.Responder()), PeerKeys.Name(0));
        await ProtoActorRequestAsync();
    }

    /// <summary>Starts an Akka.NET system and creates the responder.</summary>
    [GlobalSetup(Target = nameof(AkkaAsk))]
    public async Task SetupAkka()
    {
        _akka = AkkaPeer.Start();
        _akkaActor = _akka.ActorOf(Akka.Actor.Props.Create(() => new AkkaPeer.Responder()), PeerKeys.Name(0));
        await AkkaAsk();
    }

    /// <summary>Starts a silo and activates the responder grain.</summary>
    [GlobalSetup(Target = nameof(OrleansGrainCall))]
    public async Task SetupOrleans()
    {
        _silo = await OrleansPeer.StartAsync(new PeerWorkload(new CompletionSignal(), MessagesPerKey: 1));
        _grain = OrleansPeer.Grains(_silo).GetGrain<IResponderGrain>(PeerKeys.Name(0));
        await OrleansGrainCall();
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

    /// <summary>Asks one Ephemeral RingCore actor for its state and awaits the reply, a thousand times in turn.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTripsPerInvoke)]
    public async Task<long> RingCoreAsk()
    {
        var actor = _actor;
        var get = _get;
        long reply = 0;
        for (int i = 0; i < RoundTripsPerInvoke; i++)
        {
            reply = await actor.Ask<long>(get);
        }

        return reply;
    }

    /// <summary>RequestAsync from the root context to one Proto.Actor actor, a thousand times in turn.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public async Task<long> ProtoActorRequestAsync()
    {
        var root = _proto!.Root;
        var pid = _pid!;
        var get = _get;
        long reply = 0;
        for (int i = 0; i < RoundTripsPerInvoke; i++)
        {
            reply = await root.RequestAsync<long>(pid, get);
        }

        return reply;
    }

    /// <summary>Asks one Akka.NET actor, a thousand times in turn.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public async Task<long> AkkaAsk()
    {
        var actor = _akkaActor!;
        var get = _get;
        long reply = 0;
        for (int i = 0; i < RoundTripsPerInvoke; i++)
        {
            reply = await actor.Ask<long>(get);
        }

        return reply;
    }

    /// <summary>Calls one Orleans grain and awaits its value, a thousand times in turn.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public async Task<long> OrleansGrainCall()
    {
        var grain = _grain!;
        long reply = 0;
        for (int i = 0; i < RoundTripsPerInvoke; i++)
        {
            reply = await grain.Get();
        }

        return reply;
    }
}
