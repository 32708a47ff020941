using RingCore.Causality;
using RingCore.Replication;
using RingCore.Transport;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

namespace RingCore.Tests.Replication;

/// <summary>On the manual scheduler and fake time a cluster run replays exactly from its seed (docs/architecture.md, testing architecture).</summary>
public sealed class DeterministicReplayTests
{
    [Fact]
    public async Task The_same_seed_delivers_the_same_messages_in_the_same_order()
    {
        var first = await RunAsync(seed: 21);
        var second = await RunAsync(seed: 21);
        var other = await RunAsync(seed: 22);

        Assert.Equal(first.Statistics, second.Statistics);
        Assert.Equal(first.Results, second.Results);
        Assert.NotEqual(first.Statistics.DeliveryLogHash, other.Statistics.DeliveryLogHash);
    }

    /// <summary>A fixed sequence of puts, gets, a delete and a partition on a faulty network.</summary>
    private static async Task<(NetworkStatistics Statistics, string Results)> RunAsync(int seed)
    {
        await using var sim = new FakeTimeCluster(members: 5, ringSize: 32, seed: seed);
        sim.Cluster.Network.Faults = new NetworkFaults
        {
            DropRate = 0.05,
            DuplicateRate = 0.2,
            MaxDelay = TimeSpan.FromMilliseconds(10),
        };
        var quick = new QuorumOptions { Timeout = TimeSpan.FromMilliseconds(100) };
        var results = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            var node = sim.Node($"n{1 + (i % 5)}");
            if (i == 10)
            {
                sim.Cluster.Partition(["n1", "n2"]);
            }

            try
            {
                sim.Run(node.PutAsync("b", $"k{i % 4}", Bytes($"v{i}"), CausalContext.Empty, quick));
                var read = sim.Run(node.GetAsync("b", $"k{i % 4}", quick));
                if (i % 7 == 6)
                {
                    sim.Run(node.DeleteAsync("b", $"k{i % 4}", read.Context, quick));
                }

                results.Add(string.Join(",", Texts(read)));
            }
            catch (QuorumException error)
            {
                results.Add(error.Message);
            }
        }

        sim.Cluster.Heal();
        sim.Settle(TimeSpan.FromMilliseconds(100));
        return (sim.Cluster.Network.Statistics, string.Join("\n", results));
    }
}
