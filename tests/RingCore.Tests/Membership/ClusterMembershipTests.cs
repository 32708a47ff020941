using System.Text;
using RingCore.Causality;
using RingCore.Membership;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Membership;

/// <summary>
/// Issue 13 on the simulated cluster, in virtual time: joins, leaves, force-removes and
/// replaces through the claimant, ownership handoff and hinted handoff, with nothing lost.
/// </summary>
public sealed class ClusterMembershipTests
{
    private const string Bucket = "b";
    private static readonly QuorumOptions Quorum = new() { Timeout = TimeSpan.FromSeconds(2) };

    private static T Simulate<T>(int seed, Func<Simulator, Task<T>> body)
    {
        var simulator = new Simulator(seed);
        return simulator.Run(() => body(simulator), TimeSpan.FromHours(2));
    }

    private static TestCluster NewCluster(Simulator simulator, int members, int seed, int ringSize = 64) =>
        new(members, ringSize, nVal: 3, seed: seed, time: simulator.Time, scheduler: simulator.Scheduler);

    private static async Task WriteAsync(TestCluster cluster, string node, string key, string value)
    {
        await cluster.Node(node).PutAsync(Bucket, key, Encoding.UTF8.GetBytes(value), CausalContext.Empty, Quorum);
    }

    /// <summary>Reads every key from the primaries of the settled ring only (R = N = 3, PR = 3) and returns key -> values.</summary>
    private static async Task<Dictionary<string, string[]>> ReadAllAsync(TestCluster cluster, IEnumerable<string> keys)
    {
        var all = new QuorumOptions { R = 3, PR = 3, Timeout = TimeSpan.FromSeconds(2) };
        var node = cluster.Node(cluster.Members[0]);
        var result = new Dictionary<string, string[]>();
        foreach (var key in keys)
        {
            var read = await node.GetAsync(Bucket, key, all);
            result[key] = [.. read.Values.Select(v => Encoding.UTF8.GetString(v.Span)).Order()];
        }

        return result;
    }

    [Fact]
    public void Three_nodes_grow_to_five_and_shrink_to_three_and_every_key_stays_readable()
    {
        var outcome = Simulate(13, async simulator =>
        {
            var cluster = NewCluster(simulator, 3, seed: 13);
            var keys = Enumerable.Range(0, 300).Select(i => $"k{i}").ToArray();
            foreach (var key in keys)
            {
                await WriteAsync(cluster, "n1", key, key);
            }

            var grow = await cluster.JoinAsync("n4", "n5");
            Assert.NotEmpty(grow.Transfers);
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            var lackingAfterGrow = new List<string>();
            foreach (var key in keys)
            {
                lackingAfterGrow.AddRange((await cluster.PrimariesLackingAsync(Bucket, key)).Select(n => $"{key}@{n}"));
            }

            Assert.Empty(lackingAfterGrow); // the new owners got every object by handoff, before any read
            Assert.Empty(await cluster.MisplacedObjectsAsync()); // and the former owners dropped their copies
            var grown = cluster.Ring;
            var counts = grown.CountOwnedPartitions();
            Assert.Equal(5, grown.Members.Length);
            Assert.All(counts, c => Assert.InRange(c, 64 / 5, 64 / 5 + 1));
            var afterGrow = await ReadAllAsync(cluster, keys);

            await cluster.LeaveAsync("n4");
            await cluster.LeaveAsync("n5");
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            foreach (var key in keys)
            {
                Assert.Empty(await cluster.PrimariesLackingAsync(Bucket, key));
            }

            var afterShrink = await ReadAllAsync(cluster, keys);
            return (afterGrow, afterShrink, cluster.Ring, cluster.Nodes);
        });

        Assert.All(outcome.afterGrow, entry => Assert.Equal([entry.Key], entry.Value));
        Assert.All(outcome.afterShrink, entry => Assert.Equal([entry.Key], entry.Value));
        Assert.Equal(["n1", "n2", "n3"], outcome.Ring.Members.Select(m => m.Name));
        Assert.Equal(["n1", "n2", "n3"], outcome.Nodes);
    }
}
