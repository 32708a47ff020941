using System.Text;
using BenchmarkDotNet.Attributes;
using RingCore.Causality;
using RingCore.Hashing;
using RingCore.Node;
using RingCore.Replication;
using RingCore.TestKit;

namespace RingCore.Benchmarks.Replication;

/// <summary>
/// The replicated request path when the node a client asks is itself the coordinator: one get
/// (R=2) and one put (W=2) through <see cref="RingNode"/> on a 5-node <see cref="TestCluster"/>
/// (ring of 64 partitions, N=3, memory stores, no network faults, the thread-pool scheduler),
/// each issued on the key's first primary: the request path before and after the one-node refactor (issue 11).
/// </summary>
/// <remarks>
/// <para>What one operation measures, from the call to the completion of the returned task:</para>
/// <list type="bullet">
/// <item><description><see cref="LocalGet"/>: <c>GetAsync(bucket, string key)</c> on the key's
/// first primary. The key's UTF-8 bytes, the store key, the effective quorum properties, the
/// partition, the annotated preference list (before the refactor built per request; after it
/// read in place from the routing view's cached table), then a get request to all three
/// entries: the local one served in process (no serialization),
/// the two remote ones serialized to protobuf, copied through the simulated network and the
/// thread pool, served by the replica and answered the same way; the reply waits for two
/// answers (the local one and the first remote one), merges them and returns. The read-repair
/// tail (waiting for the third answer, the merge, the comparison) runs after the task
/// completes, on the pool, inside the measured iterations: its time overlaps the next
/// operation and its allocations are counted.</description></item>
/// <item><description><see cref="LocalPut"/>: <c>PutAsync(bucket, string key, 100-byte value,
/// context of the key's last read)</c> on the key's first primary, so the coordinating vnode
/// (entry 0 of the list) is in process: the client write is stamped, encoded in a protobuf
/// request and served locally (a read-modify-write of the memory store, a new dot), then the
/// stored set is encoded and sent to the two other replicas over the simulated network; the
/// task completes at the second acknowledgement (the local one and the first remote one) and
/// returns the encoded causal context. The third replica's acknowledgement arrives after the
/// task completed, inside the measured iterations, as for the get.</description></item>
/// </list>
/// <para>1,024 keys (<c>key0</c> .. <c>key1023</c>) are cycled, each issued on its own first
/// primary, so all five nodes coordinate in turn. Every key is written once in setup and its
/// context read. The bucket is last-write-wins for the reason given in
/// <see cref="ReplicationBenchmarks"/>: repeated puts with one old context keep one value per
/// key instead of growing a sibling set, so the cost per operation does not drift through the
/// run. The remote-coordinator figures of the same cluster are <see cref="ReplicationBenchmarks"/>'s.</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(RequestPathBenchmarkConfig))]
public class RequestPathBenchmarks
{
    private const int Keys = 1024;
    private const int ReplicaCount = 3;
    private const string Bucket = "bench";

    // Set by Setup, which BenchmarkDotNet runs before any benchmark method.
    private TestCluster _cluster = null!;
    private RingNode[] _coordinators = null!;
    private string[] _keys = null!;
    private CausalContext[] _contexts = null!;
    private readonly ReadOnlyMemory<byte> _value = new byte[100];
    private int _next;

    /// <summary>Starts the cluster, finds each key's first primary, writes every key once and reads its context.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _cluster = new TestCluster(members: 5, ringSize: 64, nVal: ReplicaCount, seed: 1);
        _cluster.ConfigureBucket(Bucket, new BucketProperties { N = ReplicaCount, R = 2, W = 2, LastWriteWins = true });
        var ring = _cluster.Ring;
        ulong bucketSeed = XxHash64.Hash(Encoding.UTF8.GetBytes(Bucket));
        _keys = new string[Keys];
        _coordinators = new RingNode[Keys];
        _contexts = new CausalContext[Keys];
        for (int i = 0; i < Keys; i++)
        {
            string key = $"key{i}";
            int partition = ring.PartitionOf(XxHash64.Hash(Encoding.UTF8.GetBytes(key), bucketSeed));
            var node = _cluster.Node(ring.OwnerMemberOf(partition).Name);

            // A local coordinator only if the node's own list starts with itself (every node up,
            // so the first entry is the first primary).
            var view = node.Routing.Current;
            var list = view.PreferenceList(partition, ReplicaCount);
            if (list.Length != ReplicaCount || view.NameOf(list[0].Member) != node.Name || !list[0].IsPrimary)
            {
                throw new InvalidOperationException($"{key}: {node.Name} is not the first entry of its own preference list.");
            }

            _keys[i] = key;
            _coordinators[i] = node;
            await node.PutAsync(Bucket, key, _value, CausalContext.Empty).ConfigureAwait(false);
            _contexts[i] = (await node.GetAsync(Bucket, key).ConfigureAwait(false)).Context;
        }
    }

    /// <summary>Stops the cluster and closes its stores.</summary>
    [GlobalCleanup]
    public async Task Cleanup() => await _cluster.DisposeAsync().ConfigureAwait(false);

    /// <summary>One get at R=2 issued on the key's first primary.</summary>
    [Benchmark]
    public Task<GetResult> LocalGet()
    {
        int key = _next++ & (Keys - 1);
        return _coordinators[key].GetAsync(Bucket, _keys[key]);
    }

    /// <summary>One put at W=2 issued on the key's first primary, with the context of the key's read in setup.</summary>
    [Benchmark]
    public Task<CausalContext> LocalPut()
    {
        int key = _next++ & (Keys - 1);
        return _coordinators[key].PutAsync(Bucket, _keys[key], _value, _contexts[key]);
    }
}
