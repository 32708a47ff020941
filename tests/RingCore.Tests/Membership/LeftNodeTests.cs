using System.Text;
using RingCore.Causality;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;
using RingCore.Tests.TestKit;

namespace RingCore.Tests.Membership;

/// <summary>
/// A node that has left the ring serves nothing for the cluster any more (as
/// <c>RingNode.HasLeftRing</c> says): it went on coordinating and storing writes by
/// the last ring it held, so a counter actor still active on a node that had left stored an
/// acknowledged increment on three nodes that had all left, and it vanished when they stopped
/// (found by the membership partition suite's 10,000-schedule soak).
/// </summary>
public sealed class LeftNodeTests
{
    [Fact]
    public void A_write_through_nodes_that_have_left_the_ring_is_not_acknowledged()
    {
        var simulator = new Simulator(843);
        var (error, found) = simulator.Run<(Exception? Error, int Found)>(async () =>
        {
            // Exact reachability: the nodes that left still reach each other and answer (with heartbeats
            // they do too when they left at once, each still listing the others, as in the suite's case).
            var cluster = new TestCluster(7, ringSize: 16, nVal: 3, seed: 843, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: Detection.Exact());
            await cluster.LeaveAsync("n4");
            while (!cluster.Node("n4").HasLeftRing)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), simulator.Time);
            }

            // A key whose primaries by n4's last ring are three members; they leave too.
            string key = "k0";
            var primaries = cluster.Node("n4").PrimariesOf("b", key);
            foreach (var leaver in primaries)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), simulator.Time); // the ring of the change before reaches every member
                await cluster.LeaveAsync(leaver);
            }

            while (!primaries.All(n => cluster.Node(n).HasLeftRing))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), simulator.Time);
            }

            // n4 still routes by its last ring, where the key's primaries are the three that left.
            var error = await Record.ExceptionAsync(() =>
                cluster.Node("n4").PutAsync("b", key, Encoding.UTF8.GetBytes("late"), CausalContext.Empty, new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) }));
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            var read = await cluster.Node(cluster.Members[0]).GetAsync("b", key, new QuorumOptions { R = 3, Timeout = TimeSpan.FromSeconds(2) });
            return (error, read.Values.Count());
        }, TimeSpan.FromHours(1));

        Assert.True(error is not null || found == 1, "the write was acknowledged, and the cluster does not hold it");
        Assert.NotNull(error); // a node that has left takes no writes
    }
}
