using BenchmarkDotNet.Attributes;
using RingCore.Causality;
using RingCore.Node;
using RingCore.Replication;
using RingCore.TestKit;

namespace RingCore.Benchmarks.Replication;

/// <summary>
/// Simulated-cluster throughput of the replication layer (issue 4): a put and a get through the
/// coordinator of <see cref="RingNode"/> on a 5-node <see cref="TestCluster"/> with N=3, W=2,
/// R=2 (Dynamo section 6's common configuration), no network faults and memory stores. Each
/// operation pays for the whole quorum round: protobuf messages copied through the simulated
/// network, the thread pool, the vnode's read-modify-write and the sibling-set codec, so the
/// figures are the cost of the replication path without a real network, not of a store.
/// </summary>
/// <remarks>
/// The bucket is last-write-wins: puts rewrite a rotating set of 1,024 keys with the context of
/// one read in setup, and in an ordinary bucket every such put would add a sibling (it did not
/// see the previous one), so the stored sets, and the cost per put, would grow through the run.
/// Last-write-wins keeps each key at one value, the steady state of a read-modify-write client,
/// while the path is the same: a new dot at the coordinator, the set's codec, a sync at the
/// other replicas. Gets read the same keys. Requests come from every node in turn, so four in
/// five coordinators are remote, as with a load balancer in front of the cluster.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ReplicationBenchmarkConfig))]
public class ReplicationBenchmarks
{
    private const int Keys = 1024;

    // Set by Setup, which BenchmarkDotNet runs before any benchmark method.
    private TestCluster _cluster = null!;
    private RingNode[] _nodes = null!;
    private string[] _keys = null!;
    private CausalContext[] _contexts = null!;
    private readonly ReadOnlyMemory<byte> _value = new byte[100];
    private int _next;

    /// <summary>Starts the cluster and writes every key once.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _cluster = new TestCluster(members: 5, ringSize: 64, nVal: 3, seed: 1);
        _cluster.ConfigureBucket("bench", new BucketProperties { N = 3, R = 2, W = 2, LastWriteWins = true });
        _nodes = _cluster.Members.Select(_cluster.Node).ToArray();
        _keys = Enumerable.Range(0, Keys).Select(i => $"key{i}").ToArray();
        _contexts = new CausalContext[Keys];
        for (int i = 0; i < Keys; i++)
        {
            await _nodes[0].PutAsync("bench", _keys[i], _value, CausalContext.Empty).ConfigureAwait(false);
            _contexts[i] = (await _nodes[0].GetAsync("bench", _keys[i]).ConfigureAwait(false)).Context;
        }
    }

    /// <summary>Stops the cluster and closes its stores.</summary>
    [GlobalCleanup]
    public async Task Cleanup() => await _cluster.DisposeAsync().ConfigureAwait(false);

    /// <summary>One put at W=2 with the context of the key's last read.</summary>
    [Benchmark]
    public Task Put()
    {
        int i = _next++;
        int key = i & (Keys - 1);
        return _nodes[i % _nodes.Length].PutAsync("bench", _keys[key], _value, _contexts[key]);
    }

    /// <summary>One get at R=2.</summary>
    [Benchmark]
    public Task<GetResult> Get()
    {
        int i = _next++;
        return _nodes[i % _nodes.Length].GetAsync("bench", _keys[i & (Keys - 1)]);
    }
}
