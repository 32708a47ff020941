using System.Collections.Concurrent;
using System.Text;
using RingCore.AntiEntropy;
using RingCore.Causality;
using RingCore.Handoff;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.AntiEntropy;

/// <summary>
/// Issue 14 on the simulated cluster, in virtual time: Merkle-tree exchanges between the
/// primaries of each preference list repair lost, corrupted and missed writes without a read,
/// write nothing else, and cost only the roots when the replicas agree.
/// </summary>
public sealed class AntiEntropyTests
{
    private const string Bucket = "b";
    private static readonly QuorumOptions Quorum = new() { Timeout = TimeSpan.FromSeconds(2) };

    private static RingNodeOptions Options(Action<RingNodeOptions>? configure = null)
    {
        var options = new RingNodeOptions();
        configure?.Invoke(options);
        return options;
    }

    private static async Task WriteAsync(TestCluster cluster, string node, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            await cluster.Node(node).PutAsync(Bucket, key, Encoding.UTF8.GetBytes($"value of {key}"), CausalContext.Empty, Quorum);
        }
    }

    /// <summary>Each node's own replica of every key, encoded (null: absent there).</summary>
    private static async Task<Dictionary<string, Dictionary<string, string?>>> ReplicasAsync(TestCluster cluster, IEnumerable<string> keys)
    {
        var replicas = new Dictionary<string, Dictionary<string, string?>>();
        foreach (var node in cluster.Nodes)
        {
            var held = replicas[node] = [];
            foreach (var key in keys)
            {
                var set = await cluster.Node(node).ReadReplicaAsync(Bucket, Encoding.UTF8.GetBytes(key));
                held[key] = set is null ? null : Convert.ToHexString(SiblingSetCodec.Encode(set));
            }
        }

        return replicas;
    }

    /// <summary>Runs one round of exchanges on every node, one node after another.</summary>
    private static async Task<List<ExchangeRound>> ExchangeEverywhereAsync(TestCluster cluster)
    {
        var rounds = new List<ExchangeRound>();
        foreach (var node in cluster.Nodes)
        {
            rounds.Add(await cluster.Node(node).ExchangeRoundAsync());
        }

        return rounds;
    }

    private static async Task BuildEverywhereAsync(TestCluster cluster)
    {
        foreach (var node in cluster.Nodes)
        {
            await cluster.Node(node).BuildTreesAsync();
        }
    }

    [Fact]
    public void Keys_deleted_or_corrupted_in_one_replicas_store_are_repaired_by_the_next_exchange_and_no_other_key_is_written()
    {
        var simulator = new Simulator(71);
        var outcome = simulator.Run(async () =>
        {
            var writes = new ConcurrentDictionary<string, int>();
            // Rounds run here by hand: the interval's would repair some keys before the one measured.
            var options = Options(o => o.AntiEntropy.ExchangeInterval = TimeSpan.FromDays(1));
            await using var cluster = new TestCluster(3, 16, nVal: 3, seed: 71, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: options, storage: name => new CountingStoreProvider(name, writes));
            var keys = Enumerable.Range(0, 2000).Select(i => $"k{i}").ToList();
            await WriteAsync(cluster, "n1", keys);
            await simulator.Delay(TimeSpan.FromSeconds(1)); // a put returns at W = 2: the third copies land
            await BuildEverywhereAsync(cluster);
            var before = await ReplicasAsync(cluster, keys);

            // 1% lost, 1% rotten, beneath n3; its trees see it when they are built again (a restart).
            cluster.Crash("n3");
            var deleted = await cluster.DamageStoresAsync("n3", 0.01, seed: 1, StoreDamage.Delete);
            var corrupted = await cluster.DamageStoresAsync("n3", 0.01, seed: 2, StoreDamage.Corrupt);
            cluster.Restart("n3");
            await cluster.AwaitDetectionAsync();
            await BuildEverywhereAsync(cluster);
            long corruptBefore = cluster.Metrics.Count("ringcore.store.corrupt_objects");
            writes.Clear();

            var rounds = await ExchangeEverywhereAsync(cluster);
            var after = await ReplicasAsync(cluster, keys);
            return (deleted, corrupted, written: writes.ToDictionary(), rounds, before, after,
                corrupt: cluster.Metrics.Count("ringcore.store.corrupt_objects") - corruptBefore);
        }, TimeSpan.FromHours(1));

        var damaged = outcome.deleted.Concat(outcome.corrupted).Select(d => $"n3:{Encoding.UTF8.GetString(d.StoreKey)}").ToHashSet();
        Assert.InRange(outcome.deleted.Count, 5, 40); // about 1% of 2,000 each
        Assert.InRange(outcome.corrupted.Count, 5, 40);
        Assert.Equal(damaged.Order(), outcome.written.Keys.Order()); // exactly those keys were written, only on n3
        Assert.All(outcome.written.Values, count => Assert.Equal(1, count)); // once each
        Assert.Equal(damaged.Count, outcome.rounds.Sum(round => round.KeysRepaired));
        Assert.Equal(outcome.corrupted.Count, outcome.corrupt); // each rotten object reported once, when replaced
        Assert.Equal(outcome.before, outcome.after); // every replica is back to its bytes before the damage
    }

    [Fact]
    public void Two_replicas_with_identical_data_exchange_only_their_roots()
    {
        var simulator = new Simulator(73);
        var rounds = simulator.Run(async () =>
        {
            await using var cluster = new TestCluster(4, 32, nVal: 3, seed: 73, time: simulator.Time, scheduler: simulator.Scheduler);
            await WriteAsync(cluster, "n2", Enumerable.Range(0, 500).Select(i => $"k{i}"));
            await BuildEverywhereAsync(cluster);
            return await ExchangeEverywhereAsync(cluster);
        }, TimeSpan.FromHours(1));

        var exchanges = rounds.SelectMany(round => round.Exchanges).ToList();
        Assert.Equal(32 * 3, exchanges.Count); // each partition's three primaries pair up three ways
        Assert.All(exchanges, exchange =>
        {
            Assert.Equal(ExchangeOutcome.Equal, exchange.Outcome);
            Assert.Equal(1, exchange.Requests); // the roots, nothing else
            Assert.InRange(exchange.Bytes, 1, 64);
        });
    }

    [Fact]
    public void A_node_that_was_down_during_10000_writes_converges_by_anti_entropy_alone()
    {
        var simulator = new Simulator(79);
        var outcome = simulator.Run(async () =>
        {
            var options = Options(o => o.Handoff.HintedHandoff = false);
            await using var cluster = new TestCluster(3, 16, nVal: 3, seed: 79, time: simulator.Time, scheduler: simulator.Scheduler, nodeOptions: options);
            cluster.Crash("n3");
            await cluster.AwaitDetectionAsync();
            var keys = Enumerable.Range(0, 10_000).Select(i => $"k{i}").ToList();
            await WriteAsync(cluster, "n1", keys.Where((_, i) => i % 2 == 0));
            await WriteAsync(cluster, "n2", keys.Where((_, i) => i % 2 == 1));
            cluster.Restart("n3");
            int missing = 0;
            foreach (var key in keys.Take(200))
            {
                missing += await cluster.Node("n3").ReadReplicaAsync(Bucket, Encoding.UTF8.GetBytes(key)) is null ? 1 : 0;
            }

            long started = simulator.Time.GetTimestamp();
            var lacking = keys.Count;
            while (lacking > 0 && simulator.Time.GetElapsedTime(started) < TimeSpan.FromMinutes(5))
            {
                await simulator.Delay(TimeSpan.FromSeconds(5));
                lacking = 0;
                foreach (var key in keys)
                {
                    lacking += (await cluster.PrimariesLackingAsync(Bucket, key)).Count;
                }
            }

            return (missing, lacking, took: simulator.Time.GetElapsedTime(started), repaired: cluster.Metrics.Count("ringcore.aae.keys_repaired"),
                reads: cluster.Metrics.Count("ringcore.read_repairs"));
        }, TimeSpan.FromHours(1));

        Assert.Equal(200, outcome.missing); // n3 held none of them when it came back
        Assert.Equal(0, outcome.lacking); // every primary holds every key, n3 included
        Assert.True(outcome.repaired >= 10_000, $"anti-entropy repaired {outcome.repaired} keys");
        Assert.Equal(0, outcome.reads); // no read repaired anything: anti-entropy alone
        Assert.True(outcome.took <= TimeSpan.FromMinutes(2), $"converged after {outcome.took}");
    }
}

/// <summary>Memory stores that count, per node and key, the puts and deletes of replicated objects.</summary>
internal sealed class CountingStoreProvider(string node, ConcurrentDictionary<string, int> writes) : IVNodeStoreProvider
{
    private readonly MemoryVNodeStoreProvider _inner = new();

    public IReadOnlyCollection<int>? StoredPartitions => _inner.StoredPartitions;

    public ValueTask AttachAsync(VNodeStoreLayout layout, CancellationToken cancellationToken = default) => _inner.AttachAsync(layout, cancellationToken);

    public async ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default) =>
        new Counting(await _inner.OpenAsync(partition, cancellationToken), node, writes);

    private sealed class Counting(IVNodeStore inner, string node, ConcurrentDictionary<string, int> writes) : IVNodeStore
    {
        public int Partition => inner.Partition;

        public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default)
        {
            Count(key);
            return inner.PutAsync(key, value, cancellationToken);
        }

        public ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
        {
            Count(key);
            return inner.DeleteAsync(key, cancellationToken);
        }

        public IAsyncEnumerable<StoredEntry> FoldAsync(CancellationToken cancellationToken = default) => inner.FoldAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        private void Count(ReadOnlyMemory<byte> key)
        {
            if (key.Length > 0 && key.Span[0] == 0x01)
            {
                writes.AddOrUpdate($"{node}:{Encoding.UTF8.GetString(key.Span)}", 1, static (_, count) => count + 1);
            }
        }
    }
}
