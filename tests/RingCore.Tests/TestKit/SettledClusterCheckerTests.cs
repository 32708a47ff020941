using RingCore.Claim;
using RingCore.Ring;
using RingCore.TestKit.Checking;

namespace RingCore.Tests.TestKit;

/// <summary>The settled-cluster checker of membership runs on hand-made rings: each rule must fail when broken and pass when kept.</summary>
public sealed class SettledClusterCheckerTests
{
    private static readonly string[] Five = ["n1", "n2", "n3", "n4", "n5"];

    /// <summary>A settled cluster as claim lays it out: every node up with the same ring, nothing misplaced, one activation per actor.</summary>
    private static SettledCluster Healthy(RingState? ring = null)
    {
        ring ??= RingClaim.Initial(16, Five, new ClaimOptions { TargetN = 4 }).Ring;
        var settled = new SettledCluster { Ring = ring, TargetN = 4 };
        foreach (var member in ring.Members)
        {
            settled.Rings[member.Name] = ring;
        }

        settled.Activations["a0"] = ["n2"];
        return settled;
    }

    private static List<string> Check(SettledCluster settled)
    {
        var violations = new List<string>();
        SettledClusterChecker.Check(settled, violations);
        return violations;
    }

    [Fact]
    public void A_cluster_laid_out_by_claim_with_one_ring_everywhere_passes()
    {
        Assert.Empty(Check(Healthy()));
    }

    [Fact]
    public void A_node_with_another_ring_and_a_member_that_is_not_up_are_reported()
    {
        var settled = Healthy();
        settled.Rings["n3"] = RingClaim.Initial(16, ["n3"]).Ring; // alone: it never received the cluster's ring
        settled.Rings.Remove("n5");

        var violations = Check(settled);
        Assert.Contains(violations, v => v.StartsWith("ring: n3 holds ring version 1 [n3]", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("ring: member n5 is not up", StringComparison.Ordinal));
    }

    [Fact]
    public void Pending_transfers_and_members_still_leaving_are_reported()
    {
        var ring = RingClaim.Initial(16, Five, new ClaimOptions { TargetN = 4 }).Ring;
        var owners = Enumerable.Range(0, 16).Select(p => ring.OwnerMemberOf(p).Name).ToArray();
        var moving = ring.Evolve("n1", ring.Members.Select(m => m.Name == "n5" ? m with { Status = MemberStatus.Leaving } : m), owners,
            [new PendingTransfer(owners.ToList().IndexOf("n5"), "n5", "n1", TransferKind.Ownership)]);

        var violations = Check(Healthy(moving));
        Assert.Contains(violations, v => v.StartsWith("ring: 1 transfers pending", StringComparison.Ordinal));
        Assert.Contains(violations, v => v == "ring: n5 is still Leaving once settled");
    }

    [Fact]
    public void An_unbalanced_ring_is_reported_and_so_is_one_that_is_balanced_but_not_diverse()
    {
        // n5 owns only 2 of 16 partitions: with 5 members each should own 3 or 4.
        string[] unbalanced = ["n1", "n2", "n3", "n4", "n1", "n2", "n3", "n4", "n1", "n2", "n3", "n4", "n1", "n5", "n5", "n3"];
        var violations = Check(Healthy(RingState.FromOwners(16, Five.Select(n => new RingMember(n, MemberStatus.Valid)), unbalanced)));
        Assert.Equal(["balance: n5 owns 2 of 16 partitions; with 5 members each should own 3 or 4"], violations.Where(v => v.StartsWith("balance:", StringComparison.Ordinal)));

        // Balanced (3 or 4 each) but n1 owns partitions 0 and 1, next to each other.
        string[] adjacent = ["n1", "n1", "n2", "n3", "n4", "n5", "n2", "n3", "n4", "n5", "n1", "n2", "n3", "n4", "n5", "n2"];
        violations = Check(Healthy(RingState.FromOwners(16, Five.Select(n => new RingMember(n, MemberStatus.Valid)), adjacent)));
        Assert.DoesNotContain(violations, v => v.StartsWith("balance:", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("diversity: with 5 members and target_n 4", StringComparison.Ordinal) && v.Contains("n1 owns 0 and 1", StringComparison.Ordinal));
    }

    [Fact]
    public void With_fewer_members_than_target_n_diversity_is_not_required()
    {
        var ring = RingClaim.Initial(16, ["n1", "n2", "n3"], new ClaimOptions { TargetN = 4 }).Ring; // three nodes cannot be diverse at 4
        Assert.Empty(Check(Healthy(ring)));
    }

    [Fact]
    public void Misplaced_objects_two_activations_and_a_cluster_that_did_not_settle_are_reported()
    {
        var settled = Healthy();
        settled.Misplaced.Add("n2: partition 7, 1 objects");
        settled.Activations["a1"] = ["n1", "n4"];
        settled.NotSettled = "The cluster did not settle within 00:10:00: n3 is Exiting.";

        var violations = Check(settled);
        Assert.Contains(violations, v => v.StartsWith("handoff: n2: partition 7, 1 objects once settled", StringComparison.Ordinal));
        Assert.Contains(violations, v => v == "single activation: actor a1 is active on n1 and n4 once settled");
        Assert.Contains(violations, v => v.StartsWith("settle: The cluster did not settle", StringComparison.Ordinal));
    }
}
