using System.Text;
using RingCore.Causality;
using RingCore.Claim;
using RingCore.Membership;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;
using RingCore.Transport;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

namespace RingCore.Tests.Membership;

/// <summary>
/// Failure detection on the simulated cluster with the defaults (issue 13, point 6), in the
/// seeded single-threaded simulation on virtual time: the nodes learn of a crash, a return, a
/// partition and its heal only from heartbeats; the network decides only what is delivered.
/// </summary>
public sealed class FailureDetectionTests
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(5); // a settled heartbeat history

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_crashed_node_is_seen_down_within_3_s_and_up_within_1_s_of_its_return(int seed)
    {
        var (down, up) = Simulate(seed, members: 5, async (sim, cluster) =>
        {
            await sim.Delay(Warmup);
            cluster.Crash("n3");
            var crashed = sim.Time.Elapsed;
            await sim.Delay(TimeSpan.FromMilliseconds(500));
            Assert.All(cluster.Members.Where(m => m != "n3"), m => Assert.True(cluster.SeesUp(m, "n3"), $"{m} saw n3 down at once: no detector is that fast"));
            await cluster.AwaitDetectionAsync();
            var down = sim.Time.Elapsed - crashed;
            Assert.All(cluster.Members.Where(m => m != "n3"), m => Assert.False(cluster.SeesUp(m, "n3")));

            await sim.Delay(TimeSpan.FromSeconds(10));
            cluster.Restart("n3");
            var restarted = sim.Time.Elapsed;
            await cluster.AwaitDetectionAsync();
            var up = sim.Time.Elapsed - restarted;
            Assert.Equal(4, cluster.Metrics.Count("ringcore.membership.node_down")); // each survivor once, no one else
            Assert.Equal(4, cluster.Metrics.Count("ringcore.membership.node_up"));
            return (down, up);
        });

        Assert.InRange(down, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3));
        Assert.InRange(up, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_partition_is_seen_from_both_sides_within_3_s_and_its_heal_within_1_s()
    {
        var (split, healed) = Simulate(seed: 4, members: 5, async (sim, cluster) =>
        {
            await sim.Delay(Warmup);
            cluster.Partition(["n1", "n2"], ["n3", "n4", "n5"]);
            var started = sim.Time.Elapsed;
            await cluster.AwaitDetectionAsync();
            var split = sim.Time.Elapsed - started;
            Assert.False(cluster.SeesUp("n1", "n4"));
            Assert.False(cluster.SeesUp("n4", "n1"));
            Assert.True(cluster.SeesUp("n1", "n2"));
            Assert.True(cluster.SeesUp("n5", "n3"));

            await sim.Delay(TimeSpan.FromSeconds(5));
            cluster.Heal();
            started = sim.Time.Elapsed;
            await cluster.AwaitDetectionAsync();
            var healed = sim.Time.Elapsed - started;
            Assert.All(cluster.Members, observer => Assert.All(cluster.Members, node => Assert.True(cluster.SeesUp(observer, node))));
            return (split, healed);
        });

        Assert.InRange(split, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3));
        Assert.InRange(healed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void During_the_detection_window_a_put_with_N3_W2_succeeds_on_two_primaries_and_once_detected_a_fallback_stands_in()
    {
        Simulate(seed: 5, members: 5, async (sim, cluster) =>
        {
            await sim.Delay(Warmup);
            var primaries = Primaries(cluster, "b", "k");
            string lost = primaries[1], client = cluster.Members.Except(primaries).First();
            cluster.Crash(lost);

            // Still in the window: the client's node routes to all three primaries; two acknowledge.
            await sim.Delay(TimeSpan.FromMilliseconds(200));
            Assert.True(cluster.SeesUp(client, lost));
            await cluster.Node(client).PutAsync("b", "k", Bytes("during"), CausalContext.Empty, new QuorumOptions { W = 2, Timeout = TimeSpan.FromSeconds(1) });
            Assert.NotNull(await Replica(cluster, primaries[0], "b", "k"));
            Assert.NotNull(await Replica(cluster, primaries[2], "b", "k"));

            // Detected: the lost primary's place goes to a fallback (sloppy quorum), which takes the next write.
            await cluster.AwaitDetectionAsync();
            var read = await cluster.Node(client).GetAsync("b", "k");
            Assert.Equal(["during"], Texts(read));
            await cluster.Node(client).PutAsync("b", "k", Bytes("after"), read.Context, new QuorumOptions { W = 3, Timeout = TimeSpan.FromSeconds(1) });
            int held = 0;
            foreach (var fallback in cluster.Members.Except(primaries))
            {
                held += await Replica(cluster, fallback, "b", "k") is null ? 0 : 1;
            }

            Assert.Equal(1, held); // W = 3 met by the two live primaries and one fallback
            return true;
        });
    }

    [Fact]
    public void A_healthy_cluster_on_a_slow_and_lossy_network_suspects_no_one()
    {
        long suspicions = Simulate(seed: 6, members: 5, async (sim, cluster) =>
        {
            cluster.Network.Faults = new NetworkFaults { DropRate = 0.05, MaxDelay = TimeSpan.FromMilliseconds(30) };
            await sim.Delay(TimeSpan.FromSeconds(120));
            return cluster.Metrics.Count("ringcore.membership.node_down");
        });

        Assert.Equal(0, suspicions);
    }

    [Fact]
    public void Members_added_by_a_ring_change_start_up_and_one_that_never_answers_is_marked_down_while_a_removed_one_is_forgotten()
    {
        Simulate(seed: 7, members: 3, async (sim, cluster) =>
        {
            await sim.Delay(Warmup);
            var node = cluster.Node("n1");
            long epoch = node.Watcher.Epoch;

            // A ring with a member no one runs (n9): n1 presumes it up, then hears nothing from it.
            var grown = RingClaim.Join(cluster.Ring, ["n9"]).Ring;
            node.Routing.Swap(grown);
            Assert.True(cluster.SeesUp("n1", "n9"));
            Assert.Equal(epoch + 1, node.Watcher.Epoch); // a new member set is a new up set
            await sim.Delay(TimeSpan.FromSeconds(3));
            Assert.False(cluster.SeesUp("n1", "n9"));
            Assert.True(cluster.SeesUp("n1", "n2"));
            Assert.Equal(epoch + 2, node.Watcher.Epoch);

            // A ring without n2: n1 stops sending it heartbeats and forgets its detector.
            var shrunk = RingClaim.Leave(grown, ["n2"]).Ring;
            node.Routing.Swap(shrunk);
            var detector = Assert.IsType<HeartbeatFailureDetector>(node.Watcher.Detector);
            Assert.Equal(["n3", "n9"], detector.Peers.Order());
            Assert.False(detector.IsUp("n2"));
            var (up, _) = node.Watcher.Snapshot();
            Assert.Equal(shrunk.Members.Length, up.Length);
            return true;
        });
    }

    [Fact]
    public void The_history_starts_at_the_first_real_heartbeat_not_at_the_guess_made_when_the_member_was_first_watched()
    {
        Simulate(seed: 9, members: 3, async (sim, cluster) =>
        {
            var detector = Assert.IsType<HeartbeatFailureDetector>(cluster.Node("n1").Watcher.Detector);
            await sim.Delay(TimeSpan.FromMilliseconds(100)); // n2's first heartbeat left at its start and arrived
            var ofN2 = detector.DetectorOf("n2")!;
            Assert.Equal(2, ofN2.SampleCount); // the estimate's two starter intervals only, no near-zero one
            await sim.Delay(TimeSpan.FromMilliseconds(1000));
            Assert.Equal(6, ofN2.SampleCount);
            Assert.Equal(250, ofN2.MeanInterval); // starters 188 and 312, then exact 250s
            return true;
        });
    }

    [Fact]
    public void Duplicated_heartbeats_are_taken_once()
    {
        Simulate(seed: 10, members: 3, async (sim, cluster) =>
        {
            cluster.Network.Faults = new NetworkFaults { DuplicateRate = 1, MaxDelay = TimeSpan.FromMilliseconds(5) };
            var detector = Assert.IsType<HeartbeatFailureDetector>(cluster.Node("n1").Watcher.Detector);
            await sim.Delay(TimeSpan.FromSeconds(10));
            var ofN2 = detector.DetectorOf("n2")!;
            Assert.InRange(ofN2.SampleCount, 40, 42); // 2 starter intervals and one per heartbeat after the first, not two
            Assert.InRange(ofN2.MeanInterval, 245, 255);
            Assert.Equal(0, cluster.Metrics.Count("ringcore.membership.node_down"));
            return true;
        });
    }

    [Fact]
    public void Waiting_for_detection_times_out_naming_each_view_that_disagrees_with_the_network()
    {
        var error = Simulate(seed: 8, members: 3, async (sim, cluster) =>
        {
            await sim.Delay(Warmup);
            cluster.Crash("n3");
            return await Assert.ThrowsAsync<TimeoutException>(() => cluster.AwaitDetectionAsync(TimeSpan.FromMilliseconds(300)));
        });

        Assert.Equal("After 00:00:00.3000000 the nodes' failure detectors still disagree with the network: "
            + "n1 sees n3 up, which it cannot reach; n2 sees n3 up, which it cannot reach.", error.Message);
    }

    /// <summary>Runs <paramref name="body"/> on a cluster of the default options in a seeded simulation, then stops the cluster.</summary>
    private static T Simulate<T>(int seed, int members, Func<Simulator, TestCluster, Task<T>> body)
    {
        var sim = new Simulator(seed);
        return sim.Run(async () =>
        {
            var cluster = new TestCluster(members, ringSize: 16, nVal: 3, seed: seed, time: sim.Time, scheduler: sim.Scheduler);
            try
            {
                return await body(sim, cluster);
            }
            finally
            {
                await cluster.DisposeAsync();
            }
        }, TimeSpan.FromMinutes(10));
    }
}
