using BenchmarkDotNet.Attributes;
using RingCore.Actors;
using RingCore.TestKit;
using RingCore.Node;

namespace RingCore.Benchmarks.Replication;

/// <summary>
/// Replicated actors on a 5-node <see cref="TestCluster"/> (issue 4, point 4): one Ask that
/// changes a WriteThrough counter's state, so the reply waits for a quorum write (N=3, W=2)
/// through the simulated network and the thread pool, sent from the actor's host (the message
/// stays in process) and from another node (the message and its reply cross the network too).
/// A read-only Ask from another node shows the cost of the remote hop alone.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ReplicationBenchmarkConfig))]
public class ReplicatedActorBenchmarks
{
    private const int Keys = 256;

    // Set by Setup, which BenchmarkDotNet runs before any benchmark method.
    private TestCluster _cluster = null!;
    private ActorRef[] _fromHost = null!;
    private ActorRef[] _fromElsewhere = null!;
    private int _next;

    /// <summary>Starts the cluster and activates every counter once.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _cluster = new TestCluster(members: 5, ringSize: 64, nVal: 3, seed: 1, configureActors: actors => actors.Add<long>("counter", type => type
            .InitialState(_ => 0)
            .On<Increment, long>((count, _, _) => (count + 1, count + 1))
            .On<Get, long>((count, _, _) => (count, count))
            .PassivateAfter(TimeSpan.FromHours(1))));
        var n1 = _cluster.Actors("n1");
        _fromHost = new ActorRef[Keys];
        _fromElsewhere = new ActorRef[Keys];
        for (int i = 0; i < Keys; i++)
        {
            var probe = n1.GetActor("counter", $"k{i}");
            var host = n1.HostOf(probe);
            _fromHost[i] = _cluster.Actors(host).GetActor("counter", $"k{i}");
            _fromElsewhere[i] = _cluster.Actors(_cluster.Members.First(m => m != host)).GetActor("counter", $"k{i}");
            await _fromHost[i].Ask<long>(new Increment()).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the cluster.</summary>
    [GlobalCleanup]
    public async Task Cleanup() => await _cluster.DisposeAsync().ConfigureAwait(false);

    /// <summary>An increment asked on the actor's host: a quorum write, then the reply.</summary>
    [Benchmark]
    public ValueTask<long> WriteThroughAskOnHost() => _fromHost[_next++ & (Keys - 1)].Ask<long>(new Increment());

    /// <summary>An increment asked from another node: the message crosses, a quorum write, the reply crosses back.</summary>
    [Benchmark]
    public ValueTask<long> WriteThroughAskFromElsewhere() => _fromElsewhere[_next++ & (Keys - 1)].Ask<long>(new Increment());

    /// <summary>A read asked from another node: the message and its reply cross the simulated network, nothing is stored.</summary>
    [Benchmark]
    public ValueTask<long> ReadAskFromElsewhere() => _fromElsewhere[_next++ & (Keys - 1)].Ask<long>(new Get());

    /// <summary>Adds one.</summary>
    public sealed record Increment;

    /// <summary>Reads the count.</summary>
    public sealed record Get;
}
