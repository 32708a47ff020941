using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf;
using RingCore.AntiEntropy;
using RingCore.Causality;
using RingCore.Node;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;
using RingCore.Tests.TestKit;
using RingCore.Transport;

namespace RingCore.Tests.AntiEntropy;

/// <summary>
/// What an exchange does beyond finding lost keys: concurrent values become siblings, a
/// last-write-wins bucket keeps the newest, a rotten object is read as absent until repaired,
/// damage done to a running node is found by the next tree rebuild, exchanges wait for a
/// handoff, the status API reports, and a peer's bad requests change nothing.
/// </summary>
public sealed class ExchangeBehaviourTests
{
    private static readonly QuorumOptions One = new() { W = 1, R = 1, Timeout = TimeSpan.FromSeconds(2) };

    private static RingNodeOptions Options(Action<RingNodeOptions>? configure = null)
    {
        var options = Detection.Exact(); // partitions here are about data, not the detector
        options.AntiEntropy.ExchangeInterval = TimeSpan.FromDays(1); // rounds run by hand
        configure?.Invoke(options);
        return options;
    }

    private static TestCluster NewCluster(Simulator simulator, int seed, RingNodeOptions? options = null, int members = 3) =>
        new(members, 16, nVal: 3, seed: seed, time: simulator.Time, scheduler: simulator.Scheduler, nodeOptions: options ?? Options());

    private static async Task ExchangeEverywhereAsync(TestCluster cluster)
    {
        foreach (var node in cluster.Nodes)
        {
            await cluster.Node(node).BuildTreesAsync();
        }

        foreach (var node in cluster.Nodes)
        {
            await cluster.Node(node).ExchangeRoundAsync();
        }
    }

    private static async Task<string[]?> ReplicaValuesAsync(TestCluster cluster, string node, string bucket, string key)
    {
        var set = await cluster.Node(node).ReadReplicaAsync(bucket, Encoding.UTF8.GetBytes(key));
        return set?.Values.Select(value => Encoding.UTF8.GetString(ReplicaValue.Payload(value).Span)).Order(StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public void Values_written_on_both_sides_of_a_partition_become_siblings_on_every_replica_after_an_exchange()
    {
        var simulator = new Simulator(83);
        var replicas = simulator.Run(async () =>
        {
            await using var cluster = NewCluster(simulator, 83, Options(o => o.Handoff.HintedHandoff = false));
            cluster.Partition(["n1"], ["n2", "n3"]);
            await cluster.Node("n1").PutAsync("b", "k", "left"u8.ToArray(), CausalContext.Empty, One);
            await cluster.Node("n2").PutAsync("b", "k", "right"u8.ToArray(), CausalContext.Empty, new QuorumOptions { W = 2, Timeout = TimeSpan.FromSeconds(2) });
            cluster.Heal();
            await ExchangeEverywhereAsync(cluster);
            var found = new Dictionary<string, string[]?>();
            foreach (var node in cluster.Nodes)
            {
                found[node] = await ReplicaValuesAsync(cluster, node, "b", "k");
            }

            return found;
        }, TimeSpan.FromHours(1));

        Assert.All(replicas.Values, values => Assert.Equal(["left", "right"], values!)); // nothing lost, nothing overwritten
    }

    [Fact]
    public void In_a_last_write_wins_bucket_an_exchange_keeps_the_newest_value_everywhere()
    {
        var simulator = new Simulator(89);
        var replicas = simulator.Run(async () =>
        {
            await using var cluster = NewCluster(simulator, 89, Options(o => o.Handoff.HintedHandoff = false));
            cluster.ConfigureBucket("lww", new BucketProperties { LastWriteWins = true });
            cluster.Partition(["n1"], ["n2", "n3"]);
            await cluster.Node("n1").PutAsync("lww", "k", "older"u8.ToArray(), CausalContext.Empty, One);
            await simulator.Delay(TimeSpan.FromMilliseconds(5));
            await cluster.Node("n2").PutAsync("lww", "k", "newer"u8.ToArray(), CausalContext.Empty, One);
            cluster.Heal();
            await ExchangeEverywhereAsync(cluster);
            var found = new Dictionary<string, string[]?>();
            foreach (var node in cluster.Nodes)
            {
                found[node] = await ReplicaValuesAsync(cluster, node, "lww", "k");
            }

            return found;
        }, TimeSpan.FromHours(1));

        Assert.All(replicas.Values, values => Assert.Equal(["newer"], values!));
    }

    [Fact]
    public void A_rotten_object_is_read_as_absent_and_counted_and_reads_keep_succeeding_until_the_exchange_repairs_it()
    {
        var simulator = new Simulator(97);
        var outcome = simulator.Run(async () =>
        {
            await using var cluster = NewCluster(simulator, 97);
            var keys = Enumerable.Range(0, 200).Select(i => $"k{i}").ToList();
            foreach (var key in keys)
            {
                await cluster.Node("n1").PutAsync("b", key, Encoding.UTF8.GetBytes(key), CausalContext.Empty);
            }

            var rotten = await cluster.DamageStoresAsync("n2", 0.05, seed: 3, StoreDamage.Corrupt);
            var rottenKey = Encoding.UTF8.GetString(rotten[0].StoreKey.AsSpan(4)); // [0x01][u16 length][bucket "b"][key]
            var replica = await cluster.Node("n2").ReadReplicaAsync("b", Encoding.UTF8.GetBytes(rottenKey));
            long counted = cluster.Metrics.Count("ringcore.store.corrupt_objects");
            var read = await cluster.Node("n2").GetAsync("b", rottenKey, new QuorumOptions { R = 2, Timeout = TimeSpan.FromSeconds(2) });

            // The running node's trees do not know of the damage until they are rebuilt.
            await cluster.Node("n2").ExchangeRoundAsync();
            await cluster.Node("n1").ExchangeRoundAsync();
            foreach (var node in cluster.Nodes)
            {
                await cluster.Node(node).BuildTreesAsync();
            }

            await cluster.Restart("n2").BuildTreesAsync();
            await cluster.AwaitDetectionAsync();
            await ExchangeEverywhereAsync(cluster);
            int stillRotten = 0;
            foreach (var damaged in rotten)
            {
                var key = Encoding.UTF8.GetString(damaged.StoreKey.AsSpan(4));
                stillRotten += await cluster.Node("n2").ReadReplicaAsync("b", Encoding.UTF8.GetBytes(key)) is null ? 1 : 0;
            }

            return (rotten.Count, replica, counted, read: read.Values.Select(v => Encoding.UTF8.GetString(v.Span)).ToArray(), rottenKey, stillRotten);
        }, TimeSpan.FromHours(1));

        Assert.True(outcome.Count >= 3, $"{outcome.Count} objects rotted");
        Assert.Null(outcome.replica); // read as absent on the rotten replica
        Assert.True(outcome.counted >= 1, "the rotten object was counted");
        Assert.Equal([outcome.rottenKey], outcome.read); // the other replicas answered
        Assert.Equal(0, outcome.stillRotten); // and the exchange after the rebuild repaired every one
    }

    [Fact]
    public void Damage_beneath_a_running_node_is_found_by_the_next_tree_rebuild_and_repaired()
    {
        var simulator = new Simulator(101);
        var outcome = simulator.Run(async () =>
        {
            var options = Options(o =>
            {
                o.AntiEntropy.ExchangeInterval = TimeSpan.FromSeconds(15);
                o.AntiEntropy.TreeRebuildInterval = TimeSpan.FromMinutes(2);
            });
            await using var cluster = NewCluster(simulator, 101, options);
            var keys = Enumerable.Range(0, 300).Select(i => $"k{i}").ToList();
            foreach (var key in keys)
            {
                await cluster.Node("n1").PutAsync("b", key, Encoding.UTF8.GetBytes(key), CausalContext.Empty);
            }

            await simulator.Delay(TimeSpan.FromSeconds(30)); // trees built, a round or two run
            var lost = await cluster.DamageStoresAsync("n3", 0.03, seed: 4, StoreDamage.DeleteOrCorrupt);
            await simulator.Delay(TimeSpan.FromSeconds(60));
            int lackingBeforeRebuild = await LackingAsync(cluster, keys);
            await simulator.Delay(TimeSpan.FromMinutes(3)); // the rebuild interval, then a round
            var lastRounds = string.Join("\n", cluster.Nodes.SelectMany(n => cluster.Node(n).LastExchangeRound?.Exchanges ?? []).Where(e => e.Outcome != ExchangeOutcome.Equal));
            var status = string.Join("\n", cluster.Node("n3").AntiEntropyStatus());
            int lackingAfter = await LackingAsync(cluster, keys);
            Assert.True(lackingAfter == 0, lastRounds + "\n" + status);
            return (lost.Count, lackingBeforeRebuild, lackingAfter);
        }, TimeSpan.FromHours(1));

        Assert.True(outcome.Count >= 3, $"{outcome.Count} objects damaged");
        Assert.True(outcome.lackingBeforeRebuild > 0, "the trees did not know of the damage before their rebuild");
        Assert.Equal(0, outcome.lackingAfter);

        static async Task<int> LackingAsync(TestCluster cluster, List<string> keys)
        {
            int lacking = 0;
            foreach (var key in keys)
            {
                lacking += (await cluster.PrimariesLackingAsync("b", key)).Count;
            }

            return lacking;
        }
    }

    [Fact]
    public void Exchanges_wait_while_a_handoff_of_their_partition_runs()
    {
        var simulator = new Simulator(103);
        var outcome = simulator.Run(async () =>
        {
            await using var cluster = NewCluster(simulator, 103, Options(o => o.Handoff.BatchObjects = 1), members: 3);
            foreach (var i in Enumerable.Range(0, 300))
            {
                await cluster.Node("n1").PutAsync("b", $"k{i}", "v"u8.ToArray(), CausalContext.Empty);
            }

            foreach (var node in cluster.Nodes)
            {
                await cluster.Node(node).BuildTreesAsync();
            }

            await cluster.JoinAsync("n4");
            var transfers = cluster.Node("n1").Ring.Transfers.Length;
            var during = await cluster.Node("n1").ExchangeRoundAsync();
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            foreach (var node in cluster.Nodes)
            {
                await cluster.Node(node).BuildTreesAsync();
            }

            var after = await cluster.Node("n1").ExchangeRoundAsync();
            return (transfers, during, after);
        }, TimeSpan.FromHours(1));

        Assert.True(outcome.transfers > 0);
        Assert.True(outcome.during.Count(ExchangeOutcome.HandoffRunning) > 0, "exchanges of partitions in transfer waited");
        Assert.Equal(0, outcome.after.Count(ExchangeOutcome.HandoffRunning));
        Assert.Equal(0, outcome.after.Count(ExchangeOutcome.Failed));
    }

    [Fact]
    public void The_status_reports_every_tree_a_node_is_a_primary_of_with_its_build_and_exchanges()
    {
        var simulator = new Simulator(107);
        var (before, after, start, primaryOf) = simulator.Run(async () =>
        {
            await using var cluster = NewCluster(simulator, 107);
            var start = simulator.Time.GetUtcNow();
            await cluster.Node("n1").PutAsync("b", "k", "v"u8.ToArray(), CausalContext.Empty);
            var before = cluster.Node("n1").AntiEntropyStatus();
            await ExchangeEverywhereAsync(cluster);
            await simulator.Delay(TimeSpan.FromSeconds(10));
            var ring = cluster.Node("n1").Ring;
            int primaryOf = Enumerable.Range(0, 16).Count(p => Enumerable.Range(0, 3).Any(i => ring.OwnerMemberOf((p + i) % 16).Name == "n1"));
            return (before, cluster.Node("n1").AntiEntropyStatus(), start, primaryOf);
        }, TimeSpan.FromHours(1));

        Assert.Equal(primaryOf, after.Count); // a tree for each partition whose N = 3 preference list holds n1
        Assert.Equal(primaryOf, before.Count);
        Assert.All(after, tree =>
        {
            Assert.Equal(3, tree.N);
            Assert.True(tree.Built);
            Assert.True(tree.Exchanges >= 1, $"partition {tree.Partition} exchanged");
            Assert.True(tree.LastExchange >= start);
        });
        var written = Assert.Single(after, tree => tree.Keys == 1);
        Assert.NotNull(written.BuiltAt);
        Assert.InRange(written.Age!.Value, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(12));
    }

    [Fact]
    public void A_peers_bad_exchange_requests_are_answered_or_counted_and_change_nothing()
    {
        var simulator = new Simulator(109);
        var outcome = simulator.Run(async () =>
        {
            await using var cluster = NewCluster(simulator, 109);
            await cluster.Node("n1").PutAsync("b", "k", "v"u8.ToArray(), CausalContext.Empty);
            await ExchangeEverywhereAsync(cluster);
            var replies = new ConcurrentBag<PeerFrame>();
            var mallory = cluster.Network.Connect("mallory");
            mallory.Attach(new Receiver(replies));
            var tree = new TreeId { Partition = 0, N = 3 };
            var requests = new ExchangeMessage[]
            {
                new() { Hashes = new TreeHashesRequest { Tree = new TreeId { Partition = 9999, N = 3 }, Root = true } },
                new() { Hashes = new TreeHashesRequest { Tree = new TreeId { Partition = 0, N = 99 }, Root = true } },
                new() { Hashes = new TreeHashesRequest { Tree = tree, Level = 7, Parents = { 0 } } },
                new() { Hashes = new TreeHashesRequest { Tree = tree, Level = 3, Parents = { 99999 } } },
                new() { Segments = new SegmentsRequest { Tree = tree, Segments = { uint.MaxValue } } },
                new() { Repair = new ExchangeRepair { Tree = tree, Objects = { new HandoffObject { Key = ByteString.CopyFromUtf8("\u0001\u0001\u0000bk"), Siblings = ByteString.CopyFrom(7, 7, 7) } } } },
                new() { Repair = new ExchangeRepair { Tree = tree, Objects = { new HandoffObject { Key = ByteString.CopyFrom(0, 1), Siblings = ByteString.CopyFrom(1, 0, 0) } } } },
                new() { Repair = new ExchangeRepair { Tree = tree, Objects = { new HandoffObject { Key = ByteString.CopyFromUtf8("\u0001\u0001\u0000bk"),
                    Siblings = ByteString.CopyFrom(SiblingSetCodec.Encode(SiblingSet.New(ReplicaValue.Create("x"u8, 1, tombstone: false)))) } } } }, // a value without a dot
                new() { HashesReply = new TreeHashesReply() },
            };
            for (int i = 0; i < requests.Length; i++)
            {
                mallory.Send("n1", new PeerFrame { RequestId = (ulong)i + 1, ExpectsReply = true, Exchange = requests[i] }.ToByteArray());
            }

            await simulator.Delay(TimeSpan.FromSeconds(1));
            var value = await cluster.Node("n1").GetAsync("b", "k", new QuorumOptions { R = 3, Timeout = TimeSpan.FromSeconds(2) });
            var round = await cluster.Node("n1").ExchangeRoundAsync();
            return (replies: replies.ToList(), malformed: cluster.Metrics.Count("ringcore.peer.malformed", "n1"),
                value: value.Values.Select(v => Encoding.UTF8.GetString(v.Span)).ToArray(), round);
        }, TimeSpan.FromHours(1));

        Assert.True(outcome.malformed >= 7, $"{outcome.malformed} counted malformed");
        Assert.Equal(8, outcome.replies.Count); // every request answered; the stray reply dropped
        Assert.All(outcome.replies.Where(r => r.Exchange.HashesReply is not null), r => Assert.NotEqual(TreeStatus.TreeReady, r.Exchange.HashesReply.Status));
        Assert.All(outcome.replies.Where(r => r.Exchange.RepairReply is not null), r => Assert.NotEmpty(r.Exchange.RepairReply.Error));
        Assert.Equal(["v"], outcome.value); // the stored value is untouched
        Assert.All(outcome.round.Exchanges, e => Assert.Equal(ExchangeOutcome.Equal, e.Outcome));
    }

    private sealed class Receiver(ConcurrentBag<PeerFrame> replies) : ITransportReceiver
    {
        public void Receive(string from, ReadOnlyMemory<byte> payload) => replies.Add(PeerFrame.Parser.ParseFrom(payload.Span));
    }
}
