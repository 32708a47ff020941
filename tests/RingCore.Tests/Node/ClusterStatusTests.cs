using System.Text;
using RingCore.Handoff;
using RingCore.Hashing;
using RingCore.Membership;
using RingCore.Ring;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;
using RingCore.Tests.TestKit;

namespace RingCore.Tests.Node;

/// <summary>What a node reports of the cluster (GetClusterStatus) and of its transfers (GetTransfers): riak-admin member-status, ring-status and transfers.</summary>
public sealed class ClusterStatusTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void Members_shares_pending_shares_reachability_and_transfers_follow_a_join_and_a_crash(int nVal)
    {
        var simulator = new Simulator(7);
        simulator.Run(async () =>
        {
            await using var cluster = new TestCluster(3, ringSize: 64, nVal: nVal, seed: 7, time: simulator.Time, scheduler: simulator.Scheduler, nodeOptions: Detection.Exact());
            for (int i = 0; i < 300; i++)
            {
                await cluster.Node("n1").PutAsync("b", $"k{i}", new byte[2_000], default);
            }

            var before = cluster.Node("n2").GetClusterStatus();
            Assert.Equal("n2", before.Node);
            Assert.Equal(["n1", "n2", "n3"], before.Members.Select(m => m.Name));
            Assert.All(before.Members, m => Assert.True(m.Reachable));
            Assert.All(before.Members, m => Assert.Equal(MemberStatus.Valid, m.Status));
            Assert.Equal(64, before.Members.Sum(m => m.Partitions));
            Assert.All(before.Members, m => Assert.Equal(m.Partitions, m.PendingPartitions));
            Assert.Equal("n1", before.Claimant);
            Assert.True(before.ClaimantReachable);
            Assert.Empty(before.PendingTransfers);

            // n4's join: its pending share is what the plan gives it, taken from the others; the
            // transfers are listed, and the senders report them running with their progress.
            var plan = await cluster.JoinAsync("n4");
            cluster.Network.Slow("n4", TimeSpan.FromMilliseconds(200));
            var during = cluster.Node("n1").GetClusterStatus();
            Assert.Equal(plan.Transfers.Length, during.PendingTransfers.Length);
            var n4 = during.Members.Single(m => m.Name == "n4");
            Assert.Equal(0, n4.Partitions);
            Assert.Equal(plan.Transfers.Count(t => t.To == "n4"), n4.PendingPartitions);
            Assert.Equal(64, during.Members.Sum(m => m.PendingPartitions));

            TransferProgress? seen = null;
            while (seen is null && !cluster.Node("n1").Ring.Transfers.IsEmpty)
            {
                seen = cluster.Nodes.SelectMany(name => cluster.Node(name).GetTransfers()).FirstOrDefault(t => t.Objects > 0 && t.ObjectsTotal is not null);
                await Task.Delay(TimeSpan.FromMilliseconds(50), cluster.Time);
            }

            Assert.NotNull(seen);
            Assert.Equal("n4", seen.To);
            Assert.Equal(TransferProgressKind.Ownership, seen.Kind);
            Assert.True(seen.Bytes >= seen.Objects * 2_000, $"{seen.Bytes} bytes for {seen.Objects} objects");
            Assert.True(seen.BytesPerSecond > 0);

            // Its total: what the sender sends, the keys whose first partition is in the N
            // partitions up to the transferred one (one bucket of that N).
            int keysInWindow = Enumerable.Range(0, 300).Count(i =>
            {
                int first = cluster.Ring.PartitionOf(XxHash64.Hash(Encoding.UTF8.GetBytes($"k{i}"), XxHash64.Hash("b"u8)));
                return (seen.Partition - first + 64) % 64 < nVal;
            });
            Assert.Equal(keysInWindow, seen.ObjectsTotal);
            Assert.InRange(seen.Objects, 1, keysInWindow);

            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(10));
            Assert.All(cluster.Nodes, name => Assert.Empty(cluster.Node(name).GetTransfers()));
            Assert.Equal(plan.Transfers.Length, cluster.Nodes.Sum(name => cluster.Node(name).CompletedTransfers));
            Assert.True(cluster.Nodes.Sum(name => cluster.Node(name).ObjectsHandedOff) > 0);
            var after = cluster.Node("n4").GetClusterStatus();
            Assert.Equal(plan.Transfers.Count(t => t.To == "n4"), after.Members.Single(m => m.Name == "n4").Partitions);

            cluster.Crash("n3");
            await cluster.AwaitDetectionAsync();
            var crashed = cluster.Node("n1").GetClusterStatus();
            Assert.False(crashed.Members.Single(m => m.Name == "n3").Reachable);
            Assert.True(crashed.Members.Single(m => m.Name == "n1").Reachable);
            return true;
        }, TimeSpan.FromHours(1));
    }
}
