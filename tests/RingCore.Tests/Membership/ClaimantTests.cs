using RingCore.Claim;
using RingCore.Membership;
using RingCore.Ring;

namespace RingCore.Tests.Membership;

/// <summary>The claimant's decisions (issue 13 point 2): staging, refusals with their reasons, plans, commits, finished transfers and exits.</summary>
public sealed class ClaimantTests
{
    private static readonly RingState Three = RingClaim.Initial(64, ["n1", "n2", "n3"], new ClaimOptions { TargetN = 3 }).Ring;

    private static ClusterChange Join(string node) => new(ClusterChangeKind.Join, node);

    private static ClusterChange Leave(string node) => new(ClusterChangeKind.Leave, node);

    private static ClusterChange Remove(string node) => new(ClusterChangeKind.ForceRemove, node);

    [Theory]
    [InlineData("join", "n2", "already a member")]
    [InlineData("leave", "n9", "not a member")]
    [InlineData("force-remove", "n9", "not a member")]
    [InlineData("force-remove", "n1", "claimant")]
    [InlineData("replace", "n2", "has not asked to join")]
    public void Invalid_changes_are_refused_with_the_reason_and_nothing_is_staged(string kind, string node, string reason)
    {
        var claimant = new Claimant(targetN: 3);
        var change = kind switch
        {
            "join" => Join(node),
            "leave" => Leave(node),
            "force-remove" => Remove(node),
            _ => new ClusterChange(ClusterChangeKind.Replace, node, "n7"),
        };

        string? refused = claimant.Stage(Three, change, "alice", self: "n1");

        Assert.NotNull(refused);
        Assert.Contains(reason, refused, StringComparison.Ordinal);
        Assert.Empty(claimant.Staged.Changes);
    }

    [Fact]
    public void The_last_member_cannot_leave_and_a_commit_with_nothing_staged_is_refused()
    {
        var alone = RingClaim.Initial(16, ["n1"]).Ring;
        var claimant = new Claimant(targetN: 1);
        Assert.Contains("last valid member", claimant.Stage(alone, Leave("n1"), "alice", "n1"), StringComparison.Ordinal);

        var (ring, error) = claimant.Commit(Three, "n1");
        Assert.Null(ring);
        Assert.Contains("Nothing is staged", error, StringComparison.Ordinal);

        // Two leaves that would leave one valid member are fine; a third is not.
        Assert.Null(claimant.Stage(Three, Leave("n2"), "alice", "n1"));
        Assert.Null(claimant.Stage(Three, Leave("n3"), "alice", "n1"));
        Assert.Contains("already staged", claimant.Stage(Three, Leave("n3"), "alice", "n1"), StringComparison.Ordinal);
        Assert.Contains("last valid member", claimant.Stage(Three, Leave("n1"), "alice", "n1"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_operator_is_refused_while_the_first_ones_changes_are_staged_until_they_are_cleared()
    {
        var claimant = new Claimant(targetN: 3);
        Assert.Null(claimant.Stage(Three, Leave("n3"), "alice", "n1"));

        string? refused = claimant.Stage(Three, Leave("n2"), "bob", "n1");
        Assert.Contains("'alice' has staged changes", refused, StringComparison.Ordinal);

        // A join is the joining node's request: another operator's staging does not hold it up.
        Assert.Null(claimant.Stage(Three, Join("n4"), "n4", "n1"));

        claimant.Clear();
        Assert.Null(claimant.Stage(Three, Leave("n2"), "bob", "n1"));
        Assert.Equal("bob", claimant.Staged.By);
    }

    [Fact]
    public void A_join_plans_the_claims_minimal_moves_as_ownership_transfers_and_the_commit_flips_nothing_before_they_complete()
    {
        var claimant = new Claimant(targetN: 3);
        Assert.Null(claimant.Stage(Three, Join("n4"), "n4", "n1"));
        var plan = claimant.Plan(Three);
        var expected = RingClaim.Join(Three, ["n4"], new ClaimOptions { TargetN = 3 });

        Assert.NotNull(plan.Planned);
        Assert.Equal(expected.Transfers.Length, plan.Transfers.Length);
        Assert.All(plan.Transfers, t => Assert.Equal(TransferKind.Ownership, t.Kind));
        Assert.All(plan.Transfers, t => Assert.Equal("n4", t.To));
        Assert.Equal(16, plan.Planned!.CountOwnedPartitions()[plan.Planned.IndexOfMember("n4")]);

        var (committed, error) = claimant.Commit(Three, "n1");
        Assert.Null(error);
        Assert.Equal(plan.Transfers.OrderBy(t => t.Partition).ToArray(), committed!.Transfers.ToArray());
        Assert.Equal(0, committed.CountOwnedPartitions()[committed.IndexOfMember("n4")]); // owners flip per transfer, later
        Assert.True(committed.Supersedes(Three));
        Assert.Equal(1, committed.Vector["n1"]);
        Assert.Empty(claimant.Staged.Changes);

        // Each finished transfer flips its partition; the last one leaves the ring settled.
        var ring = committed;
        foreach (var transfer in committed.Transfers)
        {
            ring = Claimant.TransferDone(ring, transfer, "n1")!;
            Assert.Equal("n4", ring.OwnerMemberOf(transfer.Partition).Name);
        }

        Assert.Empty(ring.Transfers);
        Assert.Null(Claimant.TransferDone(ring, committed.Transfers[0], "n1")); // a report that came twice changes nothing
        Assert.Equal(plan.Planned.Owners.ToArray(), ring.Owners.ToArray());
    }

    [Fact]
    public void A_leaving_member_hands_off_everything_then_exits_and_only_then_leaves_the_ring()
    {
        var claimant = new Claimant(targetN: 3);
        var four = RingClaim.Initial(64, ["n1", "n2", "n3", "n4"], new ClaimOptions { TargetN = 3 }).Ring;
        Assert.Null(claimant.Stage(four, Leave("n4"), "alice", "n1"));
        var (ring, _) = claimant.Commit(four, "n1");
        Assert.Equal(MemberStatus.Leaving, ring!.Members[ring.IndexOfMember("n4")].Status);
        var owned = Enumerable.Range(0, 64).Where(p => four.OwnerMemberOf(p).Name == "n4").ToArray();
        Assert.Equal(owned, ring.Transfers.Where(t => t.From == "n4").Select(t => t.Partition).ToArray()); // all of n4's, and others only as claim's diversity needs
        Assert.DoesNotContain(ring.Transfers, t => t.To == "n4");
        Assert.Contains("not exiting", Claimant.Exited(ring, "n4", "n1").Error, StringComparison.Ordinal);

        foreach (var transfer in ring.Transfers)
        {
            ring = Claimant.TransferDone(ring, transfer, "n1")!;
        }

        Assert.Equal(MemberStatus.Exiting, ring.Members[ring.IndexOfMember("n4")].Status);
        var (gone, error) = Claimant.Exited(ring, "n4", "n1");
        Assert.Null(error);
        Assert.Equal(-1, gone!.IndexOfMember("n4"));
        Assert.All(gone.CountOwnedPartitions(), c => Assert.InRange(c, 21, 22));
    }

    [Fact]
    public void A_replace_moves_exactly_the_replaced_members_partitions_to_the_replacement()
    {
        var claimant = new Claimant(targetN: 3);
        Assert.Null(claimant.Stage(Three, Join("n7"), "n7", "n1"));
        Assert.Null(claimant.Stage(Three, new ClusterChange(ClusterChangeKind.Replace, "n2", "n7"), "alice", "n1"));
        Assert.Equal([new ClusterChange(ClusterChangeKind.Replace, "n2", "n7")], claimant.Staged.Changes); // the join became the replace

        var plan = claimant.Plan(Three);
        var owned = Enumerable.Range(0, 64).Where(p => Three.OwnerMemberOf(p).Name == "n2").ToArray();
        Assert.Equal(owned, plan.Transfers.Select(t => t.Partition).Order().ToArray());
        Assert.All(plan.Transfers, t => Assert.Equal(("n2", "n7"), (t.From, t.To)));
    }

    [Fact]
    public void A_force_remove_reassigns_at_once_and_fills_the_new_owners_by_repairs_from_both_neighbours()
    {
        var claimant = new Claimant(targetN: 3);
        var four = RingClaim.Initial(64, ["n1", "n2", "n3", "n4"], new ClaimOptions { TargetN = 3 }).Ring;
        Assert.Null(claimant.Stage(four, Remove("n3"), "alice", "n1"));
        var (ring, error) = claimant.Commit(four, "n1");

        Assert.Null(error);
        Assert.Equal(-1, ring!.IndexOfMember("n3"));
        var removed = Enumerable.Range(0, 64).Where(p => four.OwnerMemberOf(p).Name == "n3").ToArray();
        foreach (int partition in removed)
        {
            var repairs = ring.Transfers.Where(t => t.Partition == partition && t.Kind == TransferKind.Repair).ToArray();
            string owner = ring.OwnerMemberOf(partition).Name;
            var neighbours = new[] { ring.OwnerMemberOf((partition + 63) % 64).Name, ring.OwnerMemberOf((partition + 1) % 64).Name }
                .Where(n => n != owner).Distinct().Order();
            Assert.NotEmpty(repairs);
            Assert.All(repairs, r => Assert.Equal(owner, r.To));
            Assert.Equal(neighbours, repairs.Select(r => r.From).Order());
        }

        Assert.DoesNotContain(ring.Transfers, t => t.From == "n3" || t.To == "n3");
    }
}
