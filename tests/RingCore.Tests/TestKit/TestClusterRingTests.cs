using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.TestKit;

/// <summary>
/// <see cref="TestCluster.Ring"/> is the cluster's ring: a node started for a join that never got
/// through stays alone in a ring of its own, and must not be taken for the cluster (found by the
/// membership partition suite: "n10" sorts before "n2", so with n1 down the cluster's ring was
/// n10's, every client went to n10, and the final reads found nothing).
/// </summary>
public sealed class TestClusterRingTests
{
    [Fact]
    public void A_node_whose_join_failed_is_not_taken_for_the_cluster_when_the_first_member_is_down()
    {
        var simulator = new Simulator(3);
        var (members, stray) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(3, ringSize: 16, nVal: 3, seed: 3, time: simulator.Time, scheduler: simulator.Scheduler);
            cluster.Partition(["n1", "n2", "n3"]); // a node that connects now lands on the other side
            await Assert.ThrowsAsync<TimeoutException>(() => cluster.JoinAsync("n10"));
            cluster.Heal();
            cluster.Crash("n1");
            return (cluster.Members, cluster.Node("n10").Ring.Members.Select(m => m.Name).ToArray());
        }, TimeSpan.FromHours(1));

        Assert.Equal(["n10"], stray); // alone: it never joined
        Assert.Equal(["n1", "n2", "n3"], members);
    }

    /// <summary>
    /// A join goes through a member that holds the cluster's ring: a member just admitted, whose
    /// admission has not reached it yet, is still alone in its own ring and refuses to act for
    /// the cluster (n0 sorts first, so it was the seed of the next join).
    /// </summary>
    [Fact]
    public void A_join_right_after_another_goes_through_a_member_that_holds_the_cluster_ring()
    {
        var simulator = new Simulator(11);
        var (ring, joined) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(3, ringSize: 16, nVal: 3, seed: 11, time: simulator.Time, scheduler: simulator.Scheduler);
            cluster.Network.Slow("n1", TimeSpan.FromSeconds(3)); // the claimant's ring reaches n0 3 s after the commit
            await cluster.JoinAsync("n0");
            await cluster.JoinAsync("n4");
            cluster.Network.Slow("n1", TimeSpan.Zero);
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return (cluster.Ring, cluster.Node("n4").Ring);
        }, TimeSpan.FromHours(1));

        Assert.Equal(["n0", "n1", "n2", "n3", "n4"], ring.Members.Select(m => m.Name));
        Assert.Equal(ring.ContentHash, joined.ContentHash);
    }
}
