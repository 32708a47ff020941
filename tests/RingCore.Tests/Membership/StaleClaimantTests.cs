using RingCore.Membership;
using RingCore.TestKit;
using RingCore.Tests.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Membership;

/// <summary>
/// Two claimants must not change the ring concurrently: the merge keeps one of two concurrent
/// rings whole, so the other's commit vanished after the operator was told it succeeded (a
/// force-removed node came back as a member, a leave was undone). Found by the membership
/// partition suite (seeds 636 and 652).
/// </summary>
public sealed class StaleClaimantTests
{
    /// <summary>
    /// A member that acts as claimant on a ring that is behind (it was cut off while the
    /// claimant committed, and the claimant is down now) first learns what the others know.
    /// </summary>
    [Fact]
    public void A_change_committed_by_a_member_whose_ring_was_behind_is_not_undone_by_the_merge()
    {
        var simulator = new Simulator(636);
        var (members, unsettled) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, ringSize: 16, nVal: 3, seed: 636, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: Detection.Exact()); // a replay of a seed found with exact reachability: about the logic, not the detector
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

    /// <summary>
    /// The two sides of a partition each saw their own first member as the claimant and each
    /// committed a change; only a side that reaches a majority of the members may change the ring.
    /// </summary>
    [Fact]
    public void Only_the_side_of_a_partition_with_a_majority_of_the_members_changes_the_ring()
    {
        var simulator = new Simulator(652);
        var (minority, majority, members) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, ringSize: 16, nVal: 3, seed: 652, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: Detection.Exact()); // a replay of a seed found with exact reachability: about the logic, not the detector
            cluster.Partition(["n1", "n2"], ["n3", "n4", "n5"]);
            var minority = await Record.ExceptionAsync(async () =>
            {
                await cluster.Node("n1").StageAsync(new ClusterChange(ClusterChangeKind.Leave, "n2"));
                await cluster.Node("n1").CommitAsync();
            });
            var majority = await Record.ExceptionAsync(async () =>
            {
                await cluster.Node("n3").StageAsync(new ClusterChange(ClusterChangeKind.Leave, "n4"));
                await cluster.Node("n3").CommitAsync();
            });
            await Task.Delay(TimeSpan.FromSeconds(5), cluster.Time); // both sides go on with what they committed
            cluster.Heal();
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return (minority, majority, cluster.Ring.Members.Select(m => m.Name).ToArray());
        }, TimeSpan.FromHours(1));

        Assert.Null(majority);
        Assert.DoesNotContain("n4", members); // what was committed stays committed
        Assert.IsType<ClusterChangeRefusedException>(minority);
        Assert.Contains("majority", minority.Message, StringComparison.Ordinal);
        Assert.Equal(["n1", "n2", "n3", "n5"], members);
    }

    /// <summary>
    /// A claimant that crashes while it waits for the members' rings before a commit decides
    /// nothing: its halted incarnation went on after the wait, committed on a ring that died with
    /// it and told the operator the change was made, while the restarted node came back with the
    /// ring it had (found by the membership partition suite, seed 508).
    /// </summary>
    [Fact]
    public void A_claimant_that_crashes_while_it_syncs_before_a_commit_does_not_report_the_commit_made()
    {
        var simulator = new Simulator(508);
        var (error, members) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, ringSize: 16, nVal: 3, seed: 508, time: simulator.Time, scheduler: simulator.Scheduler);
            cluster.Isolate("n1"); // its detector sees the others up a while yet: it syncs, and waits for answers that cannot come
            await cluster.Node("n1").StageAsync(new ClusterChange(ClusterChangeKind.Leave, "n5"));
            var commit = cluster.Node("n1").CommitAsync();
            await Task.Delay(TimeSpan.FromSeconds(1), cluster.Time);
            cluster.Crash("n1");
            cluster.Restart("n1");
            cluster.Heal();
            var error = await Record.ExceptionAsync(() => commit);
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return (error, cluster.Ring.Members.Select(m => m.Name).ToArray());
        }, TimeSpan.FromHours(1));

        Assert.NotNull(error); // not "committed"
        Assert.Equal(["n1", "n2", "n3", "n4", "n5"], members); // and nothing was
    }

    /// <summary>
    /// The claimant restarts while another member acts for it: until that member's detector sees
    /// it back, both would decide, each with a majority in view, and the merge of their two rings
    /// undid one's change (an exit recorded, the member gone, then listed again as exiting; found
    /// by the membership partition suite's 10,000-schedule soak). The one acting for it first asks
    /// the claimant, and defers to it when it answers.
    /// </summary>
    [Fact]
    public void A_member_acting_for_the_claimant_defers_to_it_once_it_answers_again()
    {
        var simulator = new Simulator(1060807089);
        var (outcomes, members) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(6, ringSize: 16, nVal: 3, seed: 1060807089, time: simulator.Time, scheduler: simulator.Scheduler);
            cluster.Crash("n1");
            await cluster.AwaitDetectionAsync(); // n2 acts as claimant now
            cluster.Restart("n1"); // n2's detector sees it back only after a while
            async Task<Exception?> LeaveAsync(string via, string member) => await Record.ExceptionAsync(async () =>
            {
                await cluster.Node(via).StageAsync(new ClusterChange(ClusterChangeKind.Leave, member), operatorName: via);
                await cluster.Node(via).CommitAsync(operatorName: via);
            });

            var outcomes = await Task.WhenAll(LeaveAsync("n2", "n5"), LeaveAsync("n1", "n6")); // at once, through each
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return (outcomes, cluster.Ring.Members.Select(m => m.Name).ToArray());
        }, TimeSpan.FromHours(1));

        // Each change was either refused or made; none was reported made and then undone.
        Assert.True(outcomes[0] is ClusterChangeRefusedException || !members.Contains("n5"), $"the leave of n5 was committed, yet n5 is a member: {outcomes[0]}");
        Assert.True(outcomes[1] is ClusterChangeRefusedException || !members.Contains("n6"), $"the leave of n6 was committed, yet n6 is a member: {outcomes[1]}");
        Assert.Null(outcomes[1]); // the claimant's own change goes through
    }
}
