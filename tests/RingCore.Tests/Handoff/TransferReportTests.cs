using System.Text;
using RingCore.Causality;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Handoff;

/// <summary>
/// A transfer whose completion the claimant does not record (its ring is behind the sender's: it
/// restarted with the ring it had before the commit) is sent again later, not at once: at once,
/// with no message delay, the sender spun in place in zero virtual time, so no gossip timer
/// could ever fire to bring the claimant up to date (found by the membership partition suite).
/// </summary>
public sealed class TransferReportTests
{
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
}
