using System.Collections.Concurrent;
using System.Text;
using BenchmarkDotNet.Attributes;
using RingCore.Claim;
using RingCore.Hashing;
using RingCore.Node;
using RingCore.Preference;
using RingCore.Ring;
using RingCore.TestKit;

namespace RingCore.Benchmarks.Routing;

/// <summary>
/// The routing hot path: from a key's bytes to its partition, and to its preference list, next
/// to the baselines a reader would otherwise reach for. Every method reports the time and
/// allocation of routing ONE key; the allocated column must read "-" (docs/architecture.md, rules for contributors).
/// </summary>
/// <remarks>
/// Each invocation routes all <see cref="KeyCount"/> pre-generated random keys in turn
/// (<c>OperationsPerInvoke</c> divides the time back to one key). Cycling through many keys rather
/// than routing one key over and over keeps the branch predictor and the caches from learning a
/// single path: a server routes a different key every time. Results are summed and returned so
/// the JIT cannot drop the work. The time is per key with consecutive keys free to overlap in the
/// CPU, i.e. throughput, which is what a busy router sees.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(RoutingBenchmarkConfig))]
public class RoutingBenchmarks
{
    /// <summary>Keys routed per invocation, each a distinct random key.</summary>
    public const int KeyCount = 1024;

    // The most common replica count (Dynamo's N; riak's default n_val).
    private const int ReplicaCount = 3;

    // One more than N, like the claim's target_n, so fallbacks are also covered by the table.
    private const int PreferenceTableWidth = 4;

    // A 16-node cluster: large enough that preference lists are spread, small enough to be typical.
    private const int NodeCount = 16;

    // ketama places 160 points per server and Cassandra used 256 vnodes; 128 is between.
    private const int TokensPerNode = 128;

    // The token ring's cost grows with its token count (binary search depth and cache footprint)
    // while the partition table's does not; 100 nodes is the size the claim benchmark uses.
    private const int LargeNodeCount = 100;

    // Fixed seeds so every run, on every machine, measures the same keys and the same token ring.
    private const int KeySeed = 20240601;
    private const int TokenSeed = 7;

    // Fields are set by Setup, which BenchmarkDotNet runs before any benchmark method.
    private byte[] _keys = [];

    // Only for NodeRoute (its own setup): a cluster of NodeCount nodes, one crashed.
    private TestCluster? _cluster;
    private RingNode _node = null!;
    private RingState _ring = null!;
    private PreferenceTable _preferenceTable = null!;
    private AnnotatedPreferenceTable _annotatedTable = null!;
    private SortedTokenRing _tokenRing = null!;
    private SortedTokenRing _largeTokenRing = null!;
    private ConcurrentDictionary<string, int> _partitionByKey = null!;
    private string[] _lookupKeys = [];

    /// <summary>Q: 64 is riak's default ring size, 1024 riak's maximum, 16384 a large RingCore ring.</summary>
    [Params(64, 1024, 16384)]
    public int PartitionCount { get; set; }

    /// <summary>Key length in bytes: a short id (16, a GUID) and a longer composite key (64).</summary>
    [Params(16, 64)]
    public int KeyLength { get; set; }

    /// <summary>Builds the ring, its tables, the baselines and the keys, outside the measured time.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _keys = new byte[KeyCount * KeyLength];
        new Random(KeySeed).NextBytes(_keys);

        _ring = RingClaim.Initial(PartitionCount, MemberNames.Create(NodeCount)).Ring;
        _preferenceTable = PreferenceTable.Build(_ring, PreferenceTableWidth);

        // One member down, the common degraded state, so lists that include it carry a fallback.
        var up = new bool[NodeCount];
        Array.Fill(up, true);
        up[0] = false;
        _annotatedTable = AnnotatedPreferenceTable.Build(_ring, ReplicaCount, up);

        _tokenRing = new SortedTokenRing(NodeCount, TokensPerNode, TokenSeed);
        _largeTokenRing = new SortedTokenRing(LargeNodeCount, TokensPerNode, TokenSeed);

        // A baseline that returned short lists would be timed doing less work than the table;
        // refuse to measure it.
        Span<int> probe = stackalloc int[ReplicaCount];
        if (_tokenRing.PreferenceList(Key(0), probe) != ReplicaCount)
        {
            throw new InvalidOperationException($"The sorted token ring must give {ReplicaCount} distinct nodes per key.");
        }

        // Latin-1 maps each byte to one char, so every distinct key stays a distinct string.
        _partitionByKey = new ConcurrentDictionary<string, int>(concurrencyLevel: Environment.ProcessorCount, capacity: KeyCount);
        _lookupKeys = new string[KeyCount];
        for (int i = 0; i < KeyCount; i++)
        {
            var key = Key(i);
            string text = Encoding.Latin1.GetString(key);
            _partitionByKey[text] = _ring.PartitionOfKey(key);

            // A separate copy, as a request would bring its own string: a lookup by the very
            // instance that was stored would short-circuit the string comparison.
            _lookupKeys[i] = new string(text.AsSpan());
        }
    }

    /// <summary>Key to partition: XxHash64 and a shift.</summary>
    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int KeyToPartition()
    {
        var ring = _ring;
        ReadOnlySpan<byte> keys = _keys;
        int keyLength = KeyLength;
        int sum = 0;
        for (int offset = 0; offset < keys.Length; offset += keyLength)
        {
            sum += ring.PartitionOfKey(keys.Slice(offset, keyLength));
        }

        return sum;
    }

    /// <summary>Baseline: riak's key to partition, SHA-1 over term_to_binary({Bucket, Key}).</summary>
    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int RiakSha1KeyToPartition()
    {
        ReadOnlySpan<byte> bucket = "users"u8;
        ReadOnlySpan<byte> keys = _keys;
        int keyLength = KeyLength;
        int partitionCount = PartitionCount;
        int sum = 0;
        for (int offset = 0; offset < keys.Length; offset += keyLength)
        {
            sum += RiakKeyHash.PartitionOf(bucket, keys.Slice(offset, keyLength), partitionCount);
        }

        return sum;
    }

    /// <summary>Baseline: a precomputed key-to-partition map, the cost of a lookup alone.</summary>
    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int ConcurrentDictionaryLookup()
    {
        var partitionByKey = _partitionByKey;
        var lookupKeys = _lookupKeys;
        int sum = 0;
        foreach (string key in lookupKeys)
        {
            sum += partitionByKey[key];
        }

        return sum;
    }

    /// <summary>The headline: key to its N = 3 preference list, a hash, a shift and a slice.</summary>
    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int KeyToPreferenceList()
    {
        var table = _preferenceTable;
        ReadOnlySpan<byte> keys = _keys;
        int keyLength = KeyLength;
        int sum = 0;
        for (int offset = 0; offset < keys.Length; offset += keyLength)
        {
            sum += SumOfMembers(table.ForKey(keys.Slice(offset, keyLength), ReplicaCount));
        }

        return sum;
    }

    /// <summary>Baseline for the headline: the same N = 3 list from a sorted token ring, a binary search and a walk.</summary>
    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int SortedTokenRingPreferenceList() => TokenRingPreferenceLists(_tokenRing);

    /// <summary>The same baseline over 100 nodes (12,800 tokens); RingCore's cost does not depend on the node count.</summary>
    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int SortedTokenRing100NodesPreferenceList() => TokenRingPreferenceLists(_largeTokenRing);

    private int TokenRingPreferenceLists(SortedTokenRing tokenRing)
    {
        ReadOnlySpan<byte> keys = _keys;
        int keyLength = KeyLength;
        Span<int> preferenceList = stackalloc int[ReplicaCount];
        int sum = 0;
        for (int offset = 0; offset < keys.Length; offset += keyLength)
        {
            int count = tokenRing.PreferenceList(keys.Slice(offset, keyLength), preferenceList);
            sum += SumOfMembers(preferenceList[..count]);
        }

        return sum;
    }

    /// <summary>Key to its annotated list (primaries and fallbacks) with one member down.</summary>
    /// <summary>
    /// <see cref="Setup"/> plus the node <see cref="NodeRoute"/> routes through: n1 of a
    /// <see cref="TestCluster"/> of <see cref="NodeCount"/> nodes on a ring of
    /// <see cref="PartitionCount"/> partitions, one node crashed like the annotated table's one
    /// member down. The other cases keep the plain setup, so their figures stay comparable.
    /// </summary>
    [GlobalSetup(Target = nameof(NodeRoute))]
    public void SetupNode()
    {
        Setup();
        _cluster = new TestCluster(members: NodeCount, ringSize: PartitionCount, nVal: ReplicaCount, seed: 1);
        _cluster.Crash($"n{NodeCount}");
        _node = _cluster.Node("n1");
        var view = _node.Routing.Current;
        if (view.PreferenceList(0, ReplicaCount).Length != ReplicaCount || view.UpCount != NodeCount - 1)
        {
            throw new InvalidOperationException($"The node must see {NodeCount - 1} members up and give {ReplicaCount} entries per key.");
        }
    }

    /// <summary>Stops the cluster of <see cref="NodeRoute"/>.</summary>
    [GlobalCleanup(Target = nameof(NodeRoute))]
    public async Task CleanupNode()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What a node does to route a bucket's key since the one-node refactor (issue 11), as a get
    /// or put coordinator does it: the current routing view (one volatile read), the bucket's
    /// cached hash seed (a dictionary lookup by name), <see cref="KeyPosition.Of(ulong, ReadOnlySpan{byte})"/>,
    /// the partition, and the annotated preference list (N = 3) read in place from the view's
    /// cached table. The bucket is <c>users</c>; 16 nodes, one crashed. It must allocate nothing.
    /// </summary>
    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int NodeRoute()
    {
        const string bucket = "users";
        var replication = _node.Replication;
        ReadOnlySpan<byte> keys = _keys;
        int keyLength = KeyLength;
        int sum = 0;
        for (int offset = 0; offset < keys.Length; offset += keyLength)
        {
            var view = replication.Routing;
            int partition = replication.PartitionOf(view, bucket, keys.Slice(offset, keyLength));
            foreach (var entry in view.PreferenceList(partition, ReplicaCount))
            {
                sum += entry.Member;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int AnnotatedKeyToPreferenceList()
    {
        var table = _annotatedTable;
        ReadOnlySpan<byte> keys = _keys;
        int keyLength = KeyLength;
        int sum = 0;
        for (int offset = 0; offset < keys.Length; offset += keyLength)
        {
            foreach (var entry in table.ForKey(keys.Slice(offset, keyLength)))
            {
                sum += entry.Member;
            }
        }

        return sum;
    }

    // Every list-returning method reads its whole list the same way, so none is charged more for
    // using its result than another.
    private static int SumOfMembers(ReadOnlySpan<int> members)
    {
        int sum = 0;
        foreach (int member in members)
        {
            sum += member;
        }

        return sum;
    }

    private ReadOnlySpan<byte> Key(int index) => _keys.AsSpan(index * KeyLength, KeyLength);
}
