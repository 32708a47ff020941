using System.Text;
using RingCore.Causality;
using RingCore.Ring;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Handoff;

/// <summary>
/// A node whose ring is behind (it restarted with the ring it had before changes another member
/// committed for it while it was down) until gossip brings it up to date: as claimant it answers
/// reports without recording them, and the reporter must try again; as coordinator it writes to
/// nodes that are no longer primaries, which must hand those objects on. All found by the
/// membership partition suite.
/// </summary>
public sealed class StaleRingTests
{
    /// <summary>
    /// A transfer whose completion the claimant did not record is sent again later, not at once:
    /// at once, with no message delay, the sender spun in place in zero virtual time, so no
    /// gossip timer could ever fire to bring the claimant up to date.
    /// </summary>
    [Fact]
    public async Task A_transfer_the_claimant_does_not_record_is_sent_again_later_not_in_a_loop_that_stops_virtual_time()
    {
        var simulator = new Simulator(7);
        TestCluster? cluster = null;
        var run = Task.Factory.StartNew(() => simulator.Run(async () =>
        {
            cluster = new TestCluster(3, ringSize: 16, nVal: 3, seed: 7, time: simulator.Time, scheduler: simulator.Scheduler);
            var quorum = new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) };
            for (int i = 0; i < 50; i++)
            {
                await cluster.Node("n2").PutAsync("b", $"k{i}", Encoding.UTF8.GetBytes($"v{i}"), CausalContext.Empty, quorum);
            }

            cluster.Crash("n1"); // the claimant: n2 acts for it and commits the join
            await cluster.AwaitDetectionAsync(); // once the others see n1 down
            await cluster.JoinAsync("n4");
            cluster.Restart("n1"); // with the ring it had: it acts as claimant again, and does not know the join's transfers
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return cluster.Ring;
        }, TimeSpan.FromHours(1)), TaskCreationOptions.LongRunning);

        bool finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) == run;
        Assert.True(finished,
            $"the simulation did not finish within 60 s of wall time, stuck at {simulator.Time.Elapsed} of virtual time, "
            + $"after {cluster?.Metrics.Count("ringcore.handoff.transfers_completed")} transfers reported done");
        var ring = await run;
        Assert.Equal(["n1", "n2", "n3", "n4"], ring.Members.Select(m => m.Name));
        Assert.True(cluster!.Metrics.Count("ringcore.handoff.transfers_completed") < 100,
            $"{cluster.Metrics.Count("ringcore.handoff.transfers_completed")} transfers reported done for one join of 16 partitions");
    }

    /// <summary>
    /// A leaving member whose exit the claimant did not record (the claimant's ring does not list
    /// it at all: it joined while the claimant was down, so the claimant took the report for a
    /// repeat) reports again: it reported once and then waited, Exiting, forever.
    /// </summary>
    [Fact]
    public void A_leaving_member_whose_exit_the_claimant_did_not_record_reports_again_and_exits()
    {
        var simulator = new Simulator(27);
        var outcome = simulator.Run(async () =>
        {
            var cluster = new TestCluster(4, ringSize: 16, nVal: 3, seed: 27, time: simulator.Time, scheduler: simulator.Scheduler);
            var quorum = new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) };
            for (int i = 0; i < 50; i++)
            {
                await cluster.Node("n2").PutAsync("b", $"k{i}", Encoding.UTF8.GetBytes($"v{i}"), CausalContext.Empty, quorum);
            }

            cluster.Crash("n1"); // the claimant: n2 acts for it
            await cluster.AwaitDetectionAsync(); // once the others see n1 down
            await cluster.ReplaceAsync("n3", "n5");
            await ExitingAsync(cluster, "n3"); // it exits only once n1 has its hints back
            await cluster.ReplaceAsync("n5", "n6");
            await ExitingAsync(cluster, "n5");
            cluster.Restart("n1"); // with its first ring, which never listed n5
            string? unsettled = null;
            try
            {
                await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            }
            catch (TimeoutException error)
            {
                unsettled = error.Message;
            }

            return (unsettled, cluster.Ring.Members.Select(m => m.Name).ToArray(), cluster.Nodes);
        }, TimeSpan.FromHours(1));

        Assert.Null(outcome.unsettled);
        Assert.Equal(["n1", "n2", "n4", "n6"], outcome.Item2);
        Assert.Equal(["n1", "n2", "n4", "n6"], outcome.Nodes);
    }

    /// <summary>
    /// A replica put that lands on a node which, by its own ring, is not one of the key's
    /// primaries (sent by a coordinator whose ring is behind, so not marked as a fallback's) is
    /// handed on to the primaries like a hint: it stayed where it landed, unmarked, and a leaving
    /// member that held one never exited. Here the former owners stay members (a join moved
    /// their partitions), and the restarted n1 writes to them by its old ring.
    /// </summary>
    [Fact]
    public void Objects_a_coordinator_with_an_old_ring_wrote_to_a_former_owner_are_handed_to_the_primaries()
    {
        var simulator = new Simulator(77);
        var outcome = simulator.Run(async () =>
        {
            var cluster = new TestCluster(4, ringSize: 16, nVal: 3, seed: 77, time: simulator.Time, scheduler: simulator.Scheduler);
            var quorum = new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) };
            for (int i = 0; i < 40; i++)
            {
                await cluster.Node("n2").PutAsync("b", $"old{i}", Encoding.UTF8.GetBytes($"v{i}"), CausalContext.Empty, quorum);
            }

            cluster.Crash("n1");
            await cluster.AwaitDetectionAsync();
            await cluster.JoinAsync("n5"); // n5 takes partitions from n2, n3 and n4, which stay members
            await TransfersDoneAsync(cluster);
            cluster.Restart("n1"); // with its first ring, where the former owners still own them
            for (int i = 0; i < 40; i++)
            {
                await cluster.Node("n1").PutAsync("b", $"k{i}", Encoding.UTF8.GetBytes($"v{i}"), CausalContext.Empty, quorum);
            }

            string? unsettled = null;
            try
            {
                await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            }
            catch (TimeoutException error)
            {
                unsettled = error.Message;
            }

            var lacking = new List<string>();
            foreach (int i in Enumerable.Range(0, 40))
            {
                lacking.AddRange((await cluster.PrimariesLackingAsync("b", $"k{i}")).Select(node => $"k{i}@{node}"));
            }

            return (unsettled, await cluster.MisplacedObjectsAsync(), lacking, cluster.Nodes);
        }, TimeSpan.FromHours(1));

        Assert.Null(outcome.unsettled);
        Assert.Empty(outcome.Item2);
        Assert.Empty(outcome.lacking);
        Assert.Equal(["n1", "n2", "n3", "n4", "n5"], outcome.Nodes);
    }

    /// <summary>Waits until the ring lists no transfer.</summary>
    private static async Task TransfersDoneAsync(TestCluster cluster)
    {
        for (int i = 0; i < 600 && cluster.Ring.Transfers.Length > 0; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cluster.Time);
        }

        Assert.Empty(cluster.Ring.Transfers);
    }

    /// <summary>Waits until <paramref name="member"/> has handed off its partitions (it exits once it holds nothing more, or has exited).</summary>
    private static async Task ExitingAsync(TestCluster cluster, string member)
    {
        for (int i = 0; i < 600; i++)
        {
            var ring = cluster.Ring;
            // Exiting, or already gone: a finished transfer drops what it sent, so a member whose
            // objects all went to their new owners may exit before a poll sees it exiting.
            if (ring.Transfers.Length == 0 && ring.Members.All(m => m.Name != member || m.Status == MemberStatus.Exiting))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cluster.Time);
        }

        Assert.Fail($"{member} did not hand off its partitions within a minute");
    }
}
