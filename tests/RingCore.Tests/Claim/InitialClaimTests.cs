using RingCore.Claim;
using RingCore.Ring;

namespace RingCore.Tests.Claim;

public sealed class InitialClaimTests
{
    [Fact]
    public void Small_rings_are_balanced_and_diverse_for_every_member_count_from_target_n_to_20()
    {
        // The search found a balanced, diverse claim for these; ours must find one too.
        foreach (int q in new[] { 8, 16, 32 })
        {
            for (int m = 4; m <= Math.Min(q, 20); m++)
            {
                var result = RingClaim.Initial(q, RingTestData.Names(m));
                Assert.True(RingTestData.IsBalanced(result.Ring), $"Q={q} M={m} unbalanced");
                Assert.Equal(0, RingTestData.Violations(result.Ring.Owners, 4));
                Assert.Equal(0, result.DiversityViolations);
            }
        }
    }

    [Fact]
    public void Every_ring_size_up_to_65536_is_balanced_and_diverse_for_4_to_64_members()
    {
        for (int q = 64; q <= 65536; q *= 2)
        {
            for (int m = 4; m <= 64; m++)
            {
                var result = RingClaim.Initial(q, RingTestData.Names(m));
                Assert.True(RingTestData.IsBalanced(result.Ring), $"Q={q} M={m} unbalanced");
                Assert.True(result.DiversityViolations == 0, $"Q={q} M={m}: {result.DiversityViolations} violations");
            }
        }
    }

    [Fact]
    public void A_large_ring_over_100_members_is_balanced_and_diverse()
    {
        var result = RingClaim.Initial(65536, RingTestData.Names(100));
        Assert.True(RingTestData.IsBalanced(result.Ring));
        Assert.Equal(0, RingTestData.Violations(result.Ring.Owners, 4));
    }

    [Fact]
    public void More_members_than_partitions_gives_each_partition_a_distinct_owner()
    {
        var result = RingClaim.Initial(8, RingTestData.Names(20));
        Assert.Equal(8, result.Ring.Owners.ToArray().Distinct().Count());
        Assert.True(RingTestData.IsBalanced(result.Ring));
    }

    [Fact]
    public void Fewer_members_than_target_n_is_balanced_and_says_diversity_was_not_possible()
    {
        var result = RingClaim.Initial(64, ["a", "b", "c"]);
        Assert.False(result.DiversityPossible);
        Assert.True(RingTestData.IsBalanced(result.Ring));

        // Neighbouring partitions still have distinct owners (64 is not a multiple of 3, so windows
        // of three cannot all be distinct: some replicas of n_val 3 share a node, as in Riak).
        Assert.Equal(0, RingTestData.Violations(result.Ring.Owners, 2));
        Assert.True(result.DiversityViolations > 0);
    }

    [Fact]
    public void The_same_members_in_any_order_give_the_same_claim()
    {
        var names = RingTestData.Names(13);
        var first = RingClaim.Initial(1024, names).Ring;
        var second = RingClaim.Initial(1024, names.Reverse()).Ring;
        Assert.True(first.Owners.SequenceEqual(second.Owners));
    }

    [Fact]
    public void Eight_partitions_over_three_members_cannot_be_diverse_at_target_n_3_and_the_claim_reports_the_least_violations()
    {
        // Pinned impossible case: three members must each appear in every window of three, which
        // forces period 3, and 8 is not a multiple of 3. An exhaustive search over all 3^8
        // balanced owner sequences confirms it and finds the least violations any claim can have.
        int best = int.MaxValue;
        var owners = new int[8];
        for (int code = 0; code < 6561; code++)
        {
            int rest = code;
            var counts = new int[3];
            for (int p = 0; p < 8; p++)
            {
                owners[p] = rest % 3;
                counts[owners[p]]++;
                rest /= 3;
            }

            if (counts.Min() >= 2 && counts.Max() <= 3)
            {
                best = Math.Min(best, RingTestData.Violations(owners, 3));
            }
        }

        Assert.True(best > 0, "a balanced, diverse claim exists after all");
        var result = RingClaim.Initial(8, ["a", "b", "c"], new ClaimOptions { TargetN = 3 });
        Assert.True(result.DiversityPossible);
        Assert.Equal(best, result.DiversityViolations);
        Assert.Equal(best, RingTestData.Violations(result.Ring.Owners, 3));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Rejects_a_target_n_out_of_range(int targetN)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RingClaim.Initial(64, ["a"], new ClaimOptions { TargetN = targetN }));
        Assert.Contains("TargetN must be from 1 to 64", error.Message);
    }

    [Fact]
    public void Rejects_duplicate_and_empty_names()
    {
        Assert.Throws<ArgumentException>(() => RingClaim.Initial(64, ["a", "a"]));
        Assert.Throws<ArgumentException>(() => RingClaim.Initial(64, ["a", " "]));
        Assert.Throws<ArgumentException>(() => RingClaim.Initial(64, []));
    }

    [Fact]
    public void The_initial_ring_is_version_1_with_valid_members()
    {
        var ring = RingClaim.Initial(16, ["b", "a"]).Ring;
        Assert.Equal(1, ring.Version);
        Assert.All(ring.Members, m => Assert.Equal(MemberStatus.Valid, m.Status));
    }
}
