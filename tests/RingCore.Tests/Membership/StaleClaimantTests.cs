using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Membership;

/// <summary>
/// A member acting as claimant on a ring that is behind (it was cut off while the claimant
/// committed, and the claimant is down now) must not commit a change that concurrent rings
/// then undo: the newer ring won the merge by version, the commit vanished, and the
/// force-removed node was a member again, with transfers to it that never ran (found by the
/// membership partition suite, seed 636).
/// </summary>
public sealed class StaleClaimantTests
{
    [Fact]
    public void A_change_committed_by_a_member_whose_ring_was_behind_is_not_undone_by_the_merge()
    {
        var simulator = new Simulator(636);
        var (members, unsettled) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, ringSize: 16, nVal: 3, seed: 636, time: simulator.Time, scheduler: simulator.Scheduler);
            cluster.Isolate("n2");
            await cluster.LeaveAsync("n3"); // n1 commits; n2 does not hear of it
            await Task.Delay(TimeSpan.FromSeconds(2), cluster.Time); // the others do
            cluster.Crash("n1");
            cluster.Heal();
            await cluster.ForceRemoveAsync("n1"); // n2 acts as claimant at once, on the ring it has
            string? unsettled = null;
            try
            {
                await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            }
            catch (TimeoutException error)
            {
                unsettled = error.Message;
            }

            return (cluster.Ring.Members.Select(m => m.Name).ToArray(), unsettled);
        }, TimeSpan.FromHours(1));

        Assert.Null(unsettled);
        Assert.Equal(["n2", "n4", "n5"], members); // n1 removed, n3 left
    }
}
