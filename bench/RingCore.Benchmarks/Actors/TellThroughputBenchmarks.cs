using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RingCore.Actors;
using RingCore.Node;

namespace RingCore.Benchmarks.Actors;

/// <summary>
/// The mailbox hot path: how many Tells per second reach their actor's handler, next to the
/// per-key queues a reader would otherwise build, a bare <see cref="Channel{T}"/> with one
/// consumer loop per key and a TPL Dataflow <see cref="ActionBlock{TInput}"/> per key. Every
/// method reports the time and allocation of ONE message: sent, handled, and waited for.
/// </summary>
/// <remarks>
/// <para>Targets (the actor mailbox issue): one sender to one actor at least as fast as both
/// baselines; a thousand actors at least 1.5x ActionBlock; no allocation per Tell beyond the
/// message, which is one instance reused here, so the allocated column must read "-". On this
/// 2-core machine a bare channel loop moved 20 to 32 million messages per second and ActionBlock
/// about 26 million.</para>
/// <para>The actor case is each category's <c>Baseline</c>, so the Ratio column reads as "times
/// slower than the actor" and the targets read off it directly: in OneToOne both baselines need a
/// ratio of at least 1.00, in ThousandKeys <see cref="ActionBlockThousandKeys"/> at least 1.50.</para>
/// <para>Each invocation sends <see cref="MessageCount"/> messages and returns only when all are
/// handled: every key counts its messages down (the actor in its state, the baselines in a
/// <see cref="KeyCountdown"/>) and signals after its last. Queues and consumers are made once in
/// the global setup and keep running across invocations, as a server's do; the setup also runs
/// one invocation so actors are active and loops started before the first measured iteration.</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ActorBenchmarkConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TellThroughputBenchmarks
{
    /// <summary>Messages sent per invocation, in every case.</summary>
    public const int MessageCount = 1_000_000;

    /// <summary>Keys (actors, channels, blocks) the messages are spread over in the ThousandKeys cases.</summary>
    public const int KeyCount = 1_000;

    private const int SenderCount = 2;
    private const int MessagesPerSender = MessageCount / SenderCount;
    private const string OneToOne = "OneToOne";
    private const string ThousandKeys = "ThousandKeys";
    private const string CounterType = "counter";

    private readonly Increment _increment = new();
    private readonly CompletionSignal _signal = new();

    // Set by the setup of the case that uses them.
    private RingNode? _node;
    private ActorRef[] _actors = [];
    private ChannelWriter<Increment>[] _channels = [];
    private ActionBlock<Increment>[] _blocks = [];
    private Task[] _consumers = [];

    /// <summary>Starts a node and activates its one counter actor.</summary>
    [GlobalSetup(Target = nameof(OneSenderOneActor))]
    public async Task SetupOneActor()
    {
        await StartActorsAsync(1);
        OneSenderOneActor();
    }

    /// <summary>Starts a node and activates its thousand counter actors.</summary>
    [GlobalSetup(Target = nameof(TwoSendersThousandActors))]
    public async Task SetupThousandActors()
    {
        await StartActorsAsync(KeyCount);
        TwoSendersThousandActors();
    }

    /// <summary>Starts one channel and its consumer loop.</summary>
    [GlobalSetup(Target = nameof(ChannelOneToOne))]
    public void SetupOneChannel()
    {
        StartChannels(1);
        ChannelOneToOne();
    }

    /// <summary>Starts a thousand channels and their consumer loops.</summary>
    [GlobalSetup(Target = nameof(ChannelThousandKeys))]
    public void SetupThousandChannels()
    {
        StartChannels(KeyCount);
        ChannelThousandKeys();
    }

    /// <summary>Starts one ActionBlock.</summary>
    [GlobalSetup(Target = nameof(ActionBlockOneToOne))]
    public void SetupOneBlock()
    {
        StartBlocks(1);
        ActionBlockOneToOne();
    }

    /// <summary>Starts a thousand ActionBlocks.</summary>
    [GlobalSetup(Target = nameof(ActionBlockThousandKeys))]
    public void SetupThousandBlocks()
    {
        StartBlocks(KeyCount);
        ActionBlockThousandKeys();
    }

    /// <summary>Stops whatever the case's setup started: the node passivates its actors, the loops and blocks drain and end.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var channel in _channels)
        {
            channel.Complete();
        }

        foreach (var block in _blocks)
        {
            block.Complete();
        }

        await Task.WhenAll(_consumers);
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    /// <summary>One thread Tells one Ephemeral actor a million times.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(OneToOne)]
    public void OneSenderOneActor()
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

    /// <summary>One thread writes a million messages to one unbounded single-reader channel.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(OneToOne)]
    public void ChannelOneToOne()
    {
        _signal.Expect(1);
        var channel = _channels[0];
        var message = _increment;
        for (int i = 0; i < MessageCount; i++)
        {
            channel.TryWrite(message);
        }

        _signal.Wait();
    }

    /// <summary>One thread posts a million messages to one ActionBlock.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(OneToOne)]
    public void ActionBlockOneToOne()
    {
        _signal.Expect(1);
        var block = _blocks[0];
        var message = _increment;
        for (int i = 0; i < MessageCount; i++)
        {
            block.Post(message);
        }

        _signal.Wait();
    }

    /// <summary>Two sender tasks Tell a thousand actors round-robin, a million messages in all.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(ThousandKeys)]
    public void TwoSendersThousandActors()
    {
        _signal.Expect(KeyCount);
        Task.WaitAll(
            Task.Run(() => TellActors(firstKey: 0)),
            Task.Run(() => TellActors(firstKey: KeyCount / SenderCount)));
        _signal.Wait();
    }

    /// <summary>Two sender tasks write to a thousand channels round-robin, a million messages in all.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(ThousandKeys)]
    public void ChannelThousandKeys()
    {
        _signal.Expect(KeyCount);
        Task.WaitAll(
            Task.Run(() => WriteChannels(firstKey: 0)),
            Task.Run(() => WriteChannels(firstKey: KeyCount / SenderCount)));
        _signal.Wait();
    }

    /// <summary>Two sender tasks post to a thousand ActionBlocks round-robin, a million messages in all.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    [BenchmarkCategory(ThousandKeys)]
    public void ActionBlockThousandKeys()
    {
        _signal.Expect(KeyCount);
        Task.WaitAll(
            Task.Run(() => PostBlocks(firstKey: 0)),
            Task.Run(() => PostBlocks(firstKey: KeyCount / SenderCount)));
        _signal.Wait();
    }

    // The three senders below are copies rather than one loop over a delegate, so that a delegate
    // call per message does not sit in the measured time of every case. Each sender starts at its
    // own key so the two do not contend for the same mailbox at the same moment; over
    // MessagesPerSender (a multiple of KeyCount) each still sends every key the same count.
    private void TellActors(int firstKey)
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

    private void WriteChannels(int firstKey)
    {
        var channels = _channels;
        var message = _increment;
        int key = firstKey;
        for (int i = 0; i < MessagesPerSender; i++)
        {
            channels[key].TryWrite(message);
            if (++key == channels.Length)
            {
                key = 0;
            }
        }
    }

    private void PostBlocks(int firstKey)
    {
        var blocks = _blocks;
        var message = _increment;
        int key = firstKey;
        for (int i = 0; i < MessagesPerSender; i++)
        {
            blocks[key].Post(message);
            if (++key == blocks.Length)
            {
                key = 0;
            }
        }
    }

    private async Task StartActorsAsync(int keyCount)
    {
        int messagesPerKey = MessageCount / keyCount;
        var signal = _signal;

        // The state is the count of messages the key still expects in this invocation, so the
        // handler does what KeyCountdown does for the baselines and nothing else. Ephemeral: no
        // store write, so the mailbox is what is measured.
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

    private void StartChannels(int keyCount)
    {
        _channels = new ChannelWriter<Increment>[keyCount];
        _consumers = new Task[keyCount];
        for (int key = 0; key < keyCount; key++)
        {
            var channel = Channel.CreateUnbounded<Increment>(new UnboundedChannelOptions { SingleReader = true });
            _channels[key] = channel.Writer;
            _consumers[key] = ConsumeAsync(channel.Reader, new KeyCountdown(_signal, MessageCount / keyCount));
        }
    }

    private void StartBlocks(int keyCount)
    {
        _blocks = new ActionBlock<Increment>[keyCount];
        _consumers = new Task[keyCount];
        for (int key = 0; key < keyCount; key++)
        {
            // Default options: one message at a time per block, like an actor's mailbox.
            _blocks[key] = new ActionBlock<Increment>(new KeyCountdown(_signal, MessageCount / keyCount).Handle);
            _consumers[key] = _blocks[key].Completion;
        }
    }

    // The usual channel consumer: wait for data, then drain without awaiting while there is some.
    private static async Task ConsumeAsync(ChannelReader<Increment> reader, KeyCountdown countdown)
    {
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var message))
            {
                countdown.Handle(message);
            }
        }
    }
}
