using BenchmarkDotNet.Attributes;
using RingCore.Actors;
using RingCore.Node;
using RingCore.Storage.Faster;

namespace RingCore.Benchmarks.Actors;

/// <summary>
/// One hot WriteThrough actor on FASTER (issue 12, point 10; target at least 20,000 messages a
/// second): an invocation Tells it <see cref="Messages"/> increments from one sender and Asks for
/// the count, which is answered once every increment before it is stored. A turn handles the
/// messages queued for the actor, stores the state once (a FASTER commit, fsync included), then
/// answers them; before batching, each message waited for its own commit (about 200 a second).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ActorBenchmarkConfig))]
public class WriteThroughFasterBenchmarks
{
    private const int Messages = 20_000;

    // Set by Setup, which BenchmarkDotNet runs before any benchmark method.
    private string _directory = null!;
    private RingNode _node = null!;
    private ActorRef _counter;
    private long _expected;

    /// <summary>The commit mode: every write committed before it is acknowledged (the default), or every 100 ms.</summary>
    [Params(FasterCommitMode.CommitBeforeAcknowledge, FasterCommitMode.CommitInterval)]
    public FasterCommitMode Mode { get; set; }

    /// <summary>Starts a lone node on FASTER in a fresh directory and activates the counter.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "ringcore-bench-" + Guid.NewGuid().ToString("N"));
        var storage = new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = _directory, CommitMode = Mode, RaiseThreadPoolMinimum = true });
        _node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 64 }, actors => actors.Add<long>("counter", type => type
            .InitialState(_ => 0)
            .On<Increment>((count, _, _) => count + 1)
            .On<Get, long>((count, _, _) => (count, count))), new RingNodeServices { Storage = storage }).ConfigureAwait(false);
        _counter = _node.GetActor("counter", "hot");
        _expected = await _counter.Ask<long>(new Get()).ConfigureAwait(false);
    }

    /// <summary>Stops the node and deletes its directory.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _node.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>20,000 Tells and one Ask to one WriteThrough actor; one operation is one message.</summary>
    [Benchmark(OperationsPerInvoke = Messages + 1)]
    public async Task OneHotActor()
    {
        var counter = _counter;
        for (int i = 0; i < Messages; i++)
        {
            counter.Tell(Increment.Instance);
        }

        _expected += Messages;
        long count = await counter.Ask<long>(Get.Instance).ConfigureAwait(false);
        if (count != _expected)
        {
            throw new InvalidOperationException($"The counter reads {count}, not {_expected}: a message was lost.");
        }
    }

    /// <summary>Adds one.</summary>
    public sealed record Increment
    {
        /// <summary>The one instance, so the sender allocates nothing per message.</summary>
        public static readonly Increment Instance = new();
    }

    /// <summary>Reads the count.</summary>
    public sealed record Get
    {
        /// <summary>The one instance.</summary>
        public static readonly Get Instance = new();
    }
}
