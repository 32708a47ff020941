using RingCore.Membership;
using RingCore.Ring;
using RingCore.TestKit;
using RingCore.Tests.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Membership;

/// <summary>
/// A node between asking to join and receiving the cluster's ring. Both found by the membership
/// partition suite.
/// </summary>
public sealed class JoiningNodeTests
{
    /// <summary>
    /// A join whose reply was lost: the claimant staged it, the joining node heard nothing and its
    /// JoinAsync timed out, and a later commit admitted it anyway (every commit takes the staged
    /// joins). The node must take the cluster's ring when it arrives: it refused it as another
    /// cluster's, stayed alone in its own ring while the cluster routed to it as a member, and a
    /// counter actor's write there needed W=2 of one node.
    /// </summary>
    [Fact]
    public void A_node_whose_join_was_staged_but_whose_reply_was_lost_takes_the_cluster_ring_when_a_later_commit_admits_it()
    {
        var simulator = new Simulator(171);
        var (joined, cluster) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(3, ringSize: 16, nVal: 3, seed: 171, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: Detection.Exact()); // a replay of a seed found with exact reachability: about the logic, not the detector
            cluster.Network.Slow("n1", TimeSpan.FromSeconds(5)); // the claimant's answers are on their way a while
            var join = cluster.JoinAsync("n4");
            while ((await cluster.Node("n1").PlanAsync()).Changes.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cluster.Time);
            }

            cluster.Isolate("n1"); // the join is staged; its answer is lost
            await Assert.ThrowsAsync<TimeoutException>(() => join);
            cluster.Heal();
            cluster.Network.Slow("n1", TimeSpan.Zero);
            await cluster.Node("n1").CommitAsync(); // commits the staged join
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return (cluster.Node("n4").Ring, cluster);
        }, TimeSpan.FromHours(1));

        Assert.Equal(["n1", "n2", "n3", "n4"], cluster.Ring.Members.Select(m => m.Name));
        Assert.Equal(cluster.Ring.ContentHash, joined.ContentHash);
        Assert.Equal(MemberStatus.Valid, joined.Members.Single(m => m.Name == "n4").Status);
    }

    /// <summary>
    /// A node that has asked to join, and has not received the cluster's ring yet, refuses to act
    /// as a claimant: it answered a third node's join as the claimant of its own one-node ring, so
    /// that node joined a cluster of two that vanished once the first one's admission arrived.
    /// </summary>
    [Fact]
    public void A_node_that_has_asked_to_join_refuses_to_stage_changes_for_others()
    {
        var simulator = new Simulator(536);
        var refused = simulator.Run(async () =>
        {
            var cluster = new TestCluster(3, ringSize: 16, nVal: 3, seed: 536, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: Detection.Exact()); // a replay of a seed found with exact reachability: about the logic, not the detector
            cluster.Partition(["n1", "n2", "n3"]); // n5 starts on the other side: its own join fails, it stays alone
            await Assert.ThrowsAsync<TimeoutException>(() => cluster.JoinAsync("n5"));
            cluster.Heal();

            cluster.Network.Slow("n1", TimeSpan.FromSeconds(5)); // the claimant's answers lag: n4 stays between asking and admission a while
            var join = cluster.JoinAsync("n4");
            while ((await cluster.Node("n1").PlanAsync()).Changes.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cluster.Time);
            }

            var error = await Record.ExceptionAsync(() => cluster.Node("n5").JoinAsync("n4"));
            cluster.Network.Slow("n1", TimeSpan.Zero);
            await join;
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return error;
        }, TimeSpan.FromHours(1));

        var refusal = Assert.IsType<ClusterChangeRefusedException>(refused);
        Assert.Contains("'n4' has asked to join", refusal.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A joining node that restarts between asking and its admission (it forgets that it asked)
    /// takes the cluster's ring when the cluster admits it: a node that never belonged to a cluster
    /// may take the ring of one that lists it. It refused the ring as another cluster's and stayed
    /// alone while the cluster counted it as a member.
    /// </summary>
    [Fact]
    public void A_joining_node_that_restarts_before_its_admission_takes_the_cluster_ring()
    {
        var simulator = new Simulator(173);
        var (ring, joined) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(3, ringSize: 16, nVal: 3, seed: 173, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: Detection.Exact()); // a replay of a seed found with exact reachability: about the logic, not the detector
            cluster.Network.Slow("n1", TimeSpan.FromSeconds(5));
            var join = cluster.JoinAsync("n4");
            while ((await cluster.Node("n1").PlanAsync()).Changes.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cluster.Time);
            }

            cluster.Restart("n4"); // the join is staged; the restarted node has forgotten it asked
            _ = await Record.ExceptionAsync(() => join);
            cluster.Network.Slow("n1", TimeSpan.Zero);
            await cluster.Node("n1").CommitAsync();
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return (cluster.Ring, cluster.Node("n4").Ring);
        }, TimeSpan.FromHours(1));

        Assert.Equal(["n1", "n2", "n3", "n4"], ring.Members.Select(m => m.Name));
        Assert.Equal(ring.ContentHash, joined.ContentHash);
    }

    /// <summary>
    /// A node admitted while its admission could not reach it (it crashed, and restarted alone)
    /// still gets the cluster's ring by gossip: members gossiped only to members their failure
    /// detector saw up, and a node alone in its own ring sends no heartbeats to the cluster, so
    /// no one ever saw it up or told it it was a member (found by the membership partition suite
    /// once heartbeats fed the up set, seed 1491).
    /// </summary>
    [Fact]
    public void A_member_the_others_have_never_seen_up_still_gets_the_ring_by_gossip()
    {
        var simulator = new Simulator(1491);
        var (ring, joined) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(3, ringSize: 16, nVal: 3, seed: 1491, time: simulator.Time, scheduler: simulator.Scheduler);
            cluster.Network.Slow("n1", TimeSpan.FromSeconds(2)); // the claimant's ring reaches n4 2 s after the commit
            var join = cluster.JoinAsync("n4");
            while ((await cluster.Node("n1").PlanAsync()).Changes.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), cluster.Time);
            }

            await cluster.Node("n1").CommitAsync(); // admitted; the news is on its way
            cluster.Crash("n4"); // and lost
            cluster.Network.Slow("n1", TimeSpan.Zero);
            _ = await Record.ExceptionAsync(() => join);
            await Task.Delay(TimeSpan.FromSeconds(5), cluster.Time);
            cluster.Restart("n4"); // alone in its first ring
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return (cluster.Ring, cluster.Node("n4").Ring);
        }, TimeSpan.FromHours(1));

        Assert.Equal(["n1", "n2", "n3", "n4"], ring.Members.Select(m => m.Name));
        Assert.Equal(ring.ContentHash, joined.ContentHash);
    }
}
