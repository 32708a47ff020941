using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using RingCore.Actors;
using RingCore.Node;

namespace RingCore.Benchmarks.Actors;

/// <summary>
/// The latency of one Ask: a request into an actor's mailbox and its reply back to an awaiting
/// caller, one at a time, next to the least a reader could build for the same round trip (a
/// request channel, a reply channel and one responder task). Every method reports ONE round trip.
/// </summary>
/// <remarks>
/// <para>Target (the actor mailbox issue): the Ask's median at most 1.5x the ping-pong's, and no
/// allocation beyond the reply in steady state. <see cref="TwoChannelPingPong"/> is the baseline,
/// so the Ratio column reads as "times the ping-pong" (of the mean; compare the Median columns
/// for the target itself). Today's Ask allocates a TaskCompletionSource, a WaitAsync timeout
/// (a timer and a task), its own async state machine and the boxed reply per call; the allocated
/// column shows that honestly.</para>
/// <para>An invocation makes <see cref="RoundTripsPerInvoke"/> round trips in one async loop, so
/// the thread that BenchmarkDotNet blocks on the returned task wakes once per thousand round
/// trips, not once per round trip: a blocked-thread wake-up costs more than the round trip itself
/// and would pull both cases toward the same number. Both sides hop through the thread pool, as
/// the Ask's reply (RunContinuationsAsynchronously) and the channels' default (no synchronous
/// continuations) both make them.</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ActorBenchmarkConfig))]
public class AskRoundTripBenchmarks
{
    /// <summary>Round trips per invocation.</summary>
    public const int RoundTripsPerInvoke = 1_000;

    private const string CounterType = "counter";

    private readonly Get _get = new();

    // Set by the setup of the case that uses them.
    private RingNode? _node;
    private ActorRef _actor;
    private Channel<Get>? _requests;
    private Channel<long>? _replies;
    private Task _responder = Task.CompletedTask;

    /// <summary>Starts a node and activates its one actor.</summary>
    [GlobalSetup(Target = nameof(AskRoundTrip))]
    public async Task SetupActor()
    {
        // Ephemeral: no store write, so the round trip is what is measured.
        _node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 64 }, actors =>
            actors.Add<long>(CounterType, type => type
                .InitialState(_ => 0L)
                .On<Get, long>((state, _, _) => (state, state))
                .WithDurability(ActorDurability.Ephemeral)));
        _actor = _node.GetActor(CounterType, "key-0000000");
        await AskRoundTrip();
    }

    /// <summary>Starts the two channels and the responder task.</summary>
    [GlobalSetup(Target = nameof(TwoChannelPingPong))]
    public async Task SetupPingPong()
    {
        _requests = Channel.CreateUnbounded<Get>(new UnboundedChannelOptions { SingleReader = true });
        _replies = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
        _responder = RespondAsync(_requests.Reader, _replies.Writer);
        await TwoChannelPingPong();
    }

    /// <summary>Stops the node or the responder.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        _requests?.Writer.Complete();
        await _responder;
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    /// <summary>Asks one Ephemeral actor for its state and awaits the reply, a thousand times in turn.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public async Task<long> AskRoundTrip()
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

    /// <summary>Writes a request to one channel and awaits the reply on another, a thousand times in turn.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTripsPerInvoke)]
    public async Task<long> TwoChannelPingPong()
    {
        var requests = _requests!.Writer;
        var replies = _replies!.Reader;
        var get = _get;
        long reply = 0;
        for (int i = 0; i < RoundTripsPerInvoke; i++)
        {
            requests.TryWrite(get);
            reply = await replies.ReadAsync();
        }

        return reply;
    }

    // The responder replies with its "state" like the actor's Get handler; a single-reader
    // unbounded channel's ReadAsync and WaitToReadAsync reuse one awaitable, so neither side
    // allocates per round trip.
    private static async Task RespondAsync(ChannelReader<Get> requests, ChannelWriter<long> replies)
    {
        long state = 0;
        while (await requests.WaitToReadAsync().ConfigureAwait(false))
        {
            while (requests.TryRead(out _))
            {
                replies.TryWrite(state);
            }
        }
    }
}
