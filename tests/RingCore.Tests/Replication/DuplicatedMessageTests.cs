using RingCore.Causality;
using RingCore.Replication;
using RingCore.Transport;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

namespace RingCore.Tests.Replication;

/// <summary>Replica requests stay idempotent when the network duplicates, drops and delays messages (fake time).</summary>
public sealed class DuplicatedMessageTests
{
    [Fact]
    public async Task A_duplicated_coordinated_put_leaves_exactly_one_value()
    {
        await using var sim = new FakeTimeCluster(members: 4, seed: 11);
        var coordinator = Primaries(sim.Cluster, "b", "k")[0];
        var client = sim.Cluster.Members.First(m => m != coordinator); // the coordinated put crosses the network
        sim.Cluster.Network.Faults = new NetworkFaults { DuplicateRate = 1 };

        sim.Run(sim.Node(client).PutAsync("b", "k", Bytes("v"), CausalContext.Empty));
        sim.Settle(TimeSpan.FromMilliseconds(50));

        var read = sim.Run(sim.Node(client).GetAsync("b", "k", new QuorumOptions { R = 3 }));
        Assert.Equal(["v"], Texts(read));
        Assert.True(sim.Cluster.Metrics.Count("ringcore.peer.duplicates", coordinator) >= 1, "the duplicate reached the coordinator and was answered from its duplicate window");
        foreach (var primary in Primaries(sim.Cluster, "b", "k"))
        {
            Assert.Equal(1, sim.Run(Replica(sim.Cluster, primary, "b", "k"))!.Count);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Under_random_drops_duplicates_and_delays_every_acknowledged_write_survives_and_no_unwritten_value_appears(int seed)
    {
        await using var sim = new FakeTimeCluster(members: 5, ringSize: 32, seed: seed,
            defaults: new BucketProperties { N = 3, W = 2, R = 2 });
        var random = new Random(seed);
        sim.Cluster.Network.Faults = new NetworkFaults
        {
            DropRate = 0.1,
            DuplicateRate = 0.3,
            MinDelay = TimeSpan.Zero,
            MaxDelay = TimeSpan.FromMilliseconds(20),
        };
        var quick = new QuorumOptions { Timeout = TimeSpan.FromMilliseconds(200) };
        string[] keys = ["a", "b", "c"];
        var written = keys.ToDictionary(k => k, _ => new HashSet<string>());
        var acknowledged = keys.ToDictionary(k => k, _ => new HashSet<string>());

        for (int round = 0; round < 4; round++)
        {
            // A handful of concurrent writes without context: each must survive as a sibling.
            var writes = new List<(string Key, string Value, Task Put)>();
            for (int i = 0; i < 5; i++)
            {
                string key = keys[random.Next(keys.Length)];
                string value = $"s{seed}-r{round}-w{i}";
                string node = sim.Cluster.Members[random.Next(sim.Cluster.Members.Count)];
                written[key].Add(value);
                writes.Add((key, value, sim.Node(node).PutAsync("b", key, Bytes(value), CausalContext.Empty, quick)));
            }

            foreach (var (key, value, put) in writes)
            {
                try
                {
                    sim.Run(put);
                    acknowledged[key].Add(value);
                }
                catch (QuorumException)
                {
                    // Not acknowledged: it may or may not have been stored.
                }
            }
        }

        sim.Cluster.Network.Faults = NetworkFaults.None;
        sim.Cluster.Heal();
        sim.Settle(TimeSpan.FromMilliseconds(100));
        foreach (var key in keys)
        {
            var read = sim.Run(sim.Node("n1").GetAsync("b", key, new QuorumOptions { R = 3 }));
            var values = Texts(read);
            Assert.Equal(values.Length, values.Distinct().Count()); // no value under two dots
            Assert.Subset(written[key], values.ToHashSet());
            Assert.Superset(acknowledged[key], values.ToHashSet());
        }

        Assert.True(acknowledged.Values.Sum(a => a.Count) > 0, "some writes were acknowledged");
    }
}
