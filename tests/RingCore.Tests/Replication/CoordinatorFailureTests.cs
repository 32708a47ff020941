using RingCore.Causality;
using RingCore.Claim;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Storage;
using RingCore.Transport;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

namespace RingCore.Tests.Replication;

/// <summary>A put whose coordinator does not record it fails and names that node; serving errors become error replies.</summary>
public sealed class CoordinatorFailureTests
{
    [Fact]
    public async Task A_put_whose_coordinating_replica_does_not_answer_fails_and_names_it()
    {
        await using var sim = new FakeTimeCluster(members: 4, seed: 31);
        var coordinator = Primaries(sim.Cluster, "b", "k")[0];
        var client = sim.Cluster.Members.First(m => m != coordinator);
        sim.Cluster.Network.Faults = new NetworkFaults { DropRate = 1 };

        var put = sim.Node(client).PutAsync("b", "k", Bytes("v"), CausalContext.Empty, new QuorumOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        var error = Assert.Throws<QuorumException>(() => sim.Run(put));
        Assert.StartsWith($"Put (b/k) could not be coordinated by {coordinator} (no reply within 300 ms); needed W=2; 0 of 3 replicas answered", error.Message);
    }

    [Fact]
    public async Task W_counts_distinct_nodes_where_a_small_ring_puts_two_replicas_of_a_key_on_one_node()
    {
        // Three nodes cannot own 16 partitions with every 3 in a row on distinct nodes, so some
        // keys have a node twice among their primaries; two acknowledgements from it are one disk.
        await using var sim = new FakeTimeCluster(members: 3, ringSize: 16, seed: 33);
        var (key, twice) = Enumerable.Range(0, 500).Select(i => $"k{i}")
            .Select(k => (Key: k, Twice: Primaries(sim.Cluster, "b", k).GroupBy(m => m).FirstOrDefault(g => g.Count() > 1)?.Key))
            .First(candidate => candidate.Twice is not null);
        sim.Cluster.Isolate(twice!);

        var put = sim.Node(twice!).PutAsync("b", key, Bytes("v"), CausalContext.Empty, new QuorumOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        var error = Assert.Throws<QuorumException>(() => sim.Run(put));
        Assert.Contains("needed W=2", error.Message, StringComparison.Ordinal);

        sim.Cluster.Heal();
        sim.Run(sim.Node(twice!).PutAsync("b", key, Bytes("v"), CausalContext.Empty)); // two nodes now: acknowledged
    }

    [Fact]
    public async Task An_exception_while_serving_becomes_an_error_reply_that_names_the_node()
    {
        var network = new SimulatedNetwork(seed: 32);
        var ring = RingClaim.Initial(16, ["n1", "n2"], new ClaimOptions { TargetN = 2 }).Ring;
        var properties = new BucketProperties { N = 2, R = 1, W = 1 };
        await using var n1 = await Start("n1", 1, ring, network, properties);
        await using var n2 = await Start("n2", 2, ring, network, properties);

        foreach (var client in new[] { n1, n2 }) // one of them coordinates remotely, the other locally
        {
            var error = await Assert.ThrowsAsync<QuorumException>(() => client.PutAsync("b", "k", Bytes("v"), CausalContext.Empty));
            Assert.Matches(@"^Put \(b/k\) could not be coordinated by n[12]: NotSupportedException on n[12]: the disk is gone; needed W=1", error.Message);
        }

        await n1.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => n1.GetAsync("b", "k"));
    }

    private static Task<RingNode> Start(string name, int seed, RingState ring, SimulatedNetwork network, BucketProperties properties) =>
        RingNode.StartAsync(new RingNodeOptions { NodeName = name, PartitionCount = ring.PartitionCount, TargetN = 2, Replication = { DefaultBucket = properties } },
            ring, network.Connect(name), services: new RingNodeServices { Storage = new FailingStores(), Seed = seed });

    /// <summary>Memory stores whose user-key writes throw an exception the node does not expect.</summary>
    private sealed class FailingStores : IVNodeStoreProvider
    {
        public ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default) =>
            new(new FailingStore(new MemoryVNodeStore(partition)));
    }

    private sealed class FailingStore(MemoryVNodeStore inner) : IVNodeStore
    {
        public int Partition => inner.Partition;

        public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default) =>
            key.Span[0] == 0x01 ? throw new NotSupportedException("the disk is gone") : inner.PutAsync(key, value, cancellationToken);

        public ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredEntry> FoldAsync(CancellationToken cancellationToken = default) => inner.FoldAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
