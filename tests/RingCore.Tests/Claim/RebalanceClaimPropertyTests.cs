using FsCheck;
using FsCheck.Fluent;
using RingCore.Claim;
using RingCore.Ring;
using Xunit.Abstractions;

namespace RingCore.Tests.Claim;

/// <summary>
/// Claim properties over random ring sizes, member counts 1..64 and join/leave sequences:
/// balance, diversity, minimal movement and determinism. Moves beyond the issue's bound must be
/// flagged by the claim, and how often that happens is measured and reported.
/// </summary>
public sealed class RebalanceClaimPropertyTests(ITestOutputHelper output)
{
    private const int TargetN = 4;

    private sealed record Step(bool Join, int Pick);

    private sealed record Scenario(int PartitionCount, int Members, Step[] Steps)
    {
        public override string ToString() =>
            $"Q={PartitionCount} M={Members} steps=[{string.Join(",", Steps.Select(s => s.Join ? "join" : $"leave#{s.Pick}"))}]";
    }

    private sealed class Tally
    {
        public int Changes;
        public int Flagged;
        public int OverBound;
        public int Rebuilt;
        public int WorstExtra;
        public string WorstCase = "";
        public int LargeChanges;
        public int LargeFlagged;
        public int ForcedByPeriod;
        public int ForcedByNoFreeTaker;
        public SortedDictionary<string, int> UnforcedByClass = new(StringComparer.Ordinal);
    }

    private static Gen<Scenario> Scenarios { get; } =
        from q in RingTestData.PartitionCounts
        from m in Gen.Choose(1, 64)
        from steps in Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(
            from joins in Gen.Elements(true, false)
            from pick in Gen.Choose(0, 63)
            select new Step(joins, pick), n))
        select new Scenario(q, m, steps);

    [Fact]
    public void Join_and_leave_sequences_keep_balance_diversity_and_minimal_movement()
    {
        var tally = new Tally();
        PropertyCheck.Run(Prop.ForAll(Scenarios.ToArbitrary(), scenario => Holds(scenario, tally)));

        double flaggedRate = 100.0 * tally.Flagged / tally.Changes;
        double largeRate = tally.LargeChanges == 0 ? 0 : 100.0 * tally.LargeFlagged / tally.LargeChanges;
        output.WriteLine($"changes: {tally.Changes}; moved more than balance needs (flagged): {tally.Flagged} ({flaggedRate:F2}%); " +
            $"beyond the issue's bound: {tally.OverBound}; rebuilt: {tally.Rebuilt}; worst extra moves: {tally.WorstExtra} ({tally.WorstCase})");
        output.WriteLine($"changes with at least 2 * target_n members on both sides: {tally.LargeChanges}, flagged {tally.LargeFlagged} ({largeRate:F2}%)");
        int unforced = tally.Flagged - tally.ForcedByPeriod - tally.ForcedByNoFreeTaker;
        double unforcedRate = 100.0 * unforced / tally.Changes;
        output.WriteLine($"flagged: {flaggedRate:F2}%, of which forced by the period argument (M = target_n after): " +
            $"{100.0 * tally.ForcedByPeriod / tally.Changes:F2}%, forced by a leaver's partition with no free taker: " +
            $"{100.0 * tally.ForcedByNoFreeTaker / tally.Changes:F2}%; unforced: {unforced} ({unforcedRate:F2}%) " +
            $"[{string.Join(", ", tally.UnforcedByClass.Select(c => $"{c.Key}: {c.Value}"))}]");

        // Extra moves concentrate where few members make diversity tight (M near target_n forces a
        // near-periodic layout); with room to spare they stay rare.
        Assert.True(largeRate < 1.0, $"{largeRate:F2}% of changes with >= {2 * TargetN} members moved more than balance needs");
        Assert.True(unforcedRate < 1.0, $"{unforcedRate:F2}% of changes moved more than balance needs where no lower bound forces it");
    }

    private static bool Holds(Scenario scenario, Tally tally)
    {
        int q = scenario.PartitionCount;
        int next = scenario.Members;
        var ring = RingClaim.Initial(q, RingTestData.Names(scenario.Members)).Ring;
        foreach (var step in scenario.Steps)
        {
            int before = ring.Members.Length;
            bool join = step.Join || before == 1;
            ClaimResult result;
            int leaverOwned = 0;
            if (join)
            {
                result = RingClaim.Join(ring, [$"node-{next++:D3}"]);
            }
            else
            {
                string leaver = ring.Members[step.Pick % before].Name;
                leaverOwned = ring.CountOwnedPartitions()[ring.IndexOfMember(leaver)];
                result = RingClaim.Leave(ring, [leaver]);
            }

            var after = result.Ring;
            int m = after.Members.Length;
            Check(RingTestData.IsBalanced(after), $"unbalanced after {(join ? "join" : "leave")} to M={m}");
            int violations = RingTestData.Violations(after.Owners, TargetN);
            Check(violations == result.DiversityViolations, "the reported violation count matches the ring");
            Check(m < TargetN || violations == 0, $"{violations} diversity violations with M={m}");

            // Movement: the transfers are exactly the partitions whose owner changed.
            int changed = 0;
            for (int p = 0; p < q; p++)
            {
                changed += ring.OwnerMemberOf(p).Name != after.OwnerMemberOf(p).Name ? 1 : 0;
            }

            Check(changed == result.Transfers.Length, "transfers list every changed partition once");
            Check(result.Transfers.Length >= result.MinimumMoves, "never fewer moves than balance needs");
            int bound = join ? ((q + m - 1) / m) + TargetN : leaverOwned + TargetN;
            Check(join ? result.MinimumMoves <= (q + m - 1) / m : result.MinimumMoves == leaverOwned,
                $"balance alone needs {result.MinimumMoves} moves");
            Check(result.Transfers.Length <= bound || result.MovedMoreThanMinimum,
                $"{result.Transfers.Length} moves exceed the bound {bound} without being flagged");

            // Determinism: the same input gives the same claim.
            var again = join ? RingClaim.Join(ring, [$"node-{next - 1:D3}"]) : RingClaim.Leave(ring, [ring.Members[step.Pick % before].Name]);
            Check(again.Ring.Owners.SequenceEqual(after.Owners), "the same change gives the same owners");

            // With exactly target_n members after, every diverse layout is periodic and the claim
            // must reach the exact optimum (the best assignment of members to residues).
            int[] original = Original(ring, after);
            if (m == TargetN)
            {
                int periodMoves = q - MovementLowerBound.MostKeptPeriodic(original, TargetN);
                Check(result.Transfers.Length == periodMoves, $"{result.Transfers.Length} moves where the best periodic layout moves {periodMoves}");
            }

            tally.Changes++;
            tally.Flagged += result.MovedMoreThanMinimum ? 1 : 0;
            if (result.MovedMoreThanMinimum)
            {
                // With M <= target_n after, claim spaces members M apart: every such layout is
                // periodic with period M, and the period argument forces the extra moves alike.
                if (m <= TargetN && result.Transfers.Length > result.MinimumMoves)
                {
                    tally.ForcedByPeriod++;
                }
                else if (!join && m >= TargetN && HasOrphanWithNoFreeTaker(original, m))
                {
                    tally.ForcedByNoFreeTaker++;
                }
                else
                {
                    string key = $"{before}->{m}";
                    tally.UnforcedByClass[key] = tally.UnforcedByClass.GetValueOrDefault(key) + 1;
                }
            }

            tally.OverBound += result.Transfers.Length > bound ? 1 : 0;
            tally.Rebuilt += result.Rebuilt ? 1 : 0;
            if (before >= 2 * TargetN && m >= 2 * TargetN)
            {
                tally.LargeChanges++;
                tally.LargeFlagged += result.MovedMoreThanMinimum ? 1 : 0;
            }

            if (result.ExtraMovesForDiversity > tally.WorstExtra)
            {
                tally.WorstExtra = result.ExtraMovesForDiversity;
                tally.WorstCase = $"Q={q} M={before}->{m} moved {result.Transfers.Length}, balance needs {result.MinimumMoves}";
            }

            ring = after;
        }

        return true;

        void Check(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvalidOperationException($"{what} in {scenario}");
            }
        }
    }

    /// <summary>Owner of each partition before a change, as an index into the members after it (-1 if it left).</summary>
    internal static int[] Original(RingState before, RingState after)
    {
        var original = new int[before.PartitionCount];
        for (int p = 0; p < original.Length; p++)
        {
            original[p] = after.IndexOfMember(before.OwnerMemberOf(p).Name);
        }

        return original;
    }

    /// <summary>
    /// Whether some partition of a departing member has every remaining member within target_n - 1
    /// of it. If only the leaver's partitions moved, that one would have no owner that keeps
    /// diversity, so the leave must move more than balance needs: the extra moves are forced.
    /// </summary>
    internal static bool HasOrphanWithNoFreeTaker(int[] original, int memberCount)
    {
        int q = original.Length;
        var seen = new bool[memberCount];
        for (int p = 0; p < q; p++)
        {
            if (original[p] >= 0)
            {
                continue;
            }

            Array.Clear(seen);
            int distinct = 0;
            for (int d = 1; d < TargetN; d++)
            {
                foreach (int neighbour in new[] { original[(p + d) % q], original[(p - d + q) % q] })
                {
                    if (neighbour >= 0 && !seen[neighbour])
                    {
                        seen[neighbour] = true;
                        distinct++;
                    }
                }
            }

            if (distinct == memberCount)
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public void Adding_one_member_to_a_large_ring_moves_exactly_its_share()
    {
        var ring = RingClaim.Initial(65536, RingTestData.Names(100)).Ring;
        var join = RingClaim.Join(ring, ["newcomer"]);
        Assert.Equal(65536 / 101, join.Transfers.Length);
        Assert.All(join.Transfers, t => Assert.Equal("newcomer", t.To));
        Assert.Equal(0, join.DiversityViolations);
        Assert.Equal(ring.Version + 1, join.Ring.Version);
    }

    [Fact]
    public void Removing_one_member_from_a_large_ring_moves_only_its_partitions()
    {
        var ring = RingClaim.Initial(65536, RingTestData.Names(100)).Ring;
        int owned = ring.CountOwnedPartitions()[ring.IndexOfMember("node-042")];
        var leave = RingClaim.Leave(ring, ["node-042"]);
        Assert.Equal(owned, leave.Transfers.Length);
        Assert.All(leave.Transfers, t => Assert.Equal("node-042", t.From));
        Assert.Equal(0, leave.DiversityViolations);
        Assert.True(RingTestData.IsBalanced(leave.Ring));
    }

    [Fact]
    public void Rejects_joining_a_member_twice_and_leaving_an_unknown_or_last_member()
    {
        var ring = RingClaim.Initial(16, ["a", "b"]).Ring;
        Assert.Contains("'a' is already a member", Assert.Throws<ArgumentException>(() => RingClaim.Join(ring, ["a"])).Message);
        Assert.Contains("'zed' is not a member", Assert.Throws<ArgumentException>(() => RingClaim.Leave(ring, ["zed"])).Message);
        var single = RingClaim.Initial(16, ["a"]).Ring;
        Assert.Contains("last member", Assert.Throws<ArgumentException>(() => RingClaim.Leave(single, ["a"])).Message);
    }

    [Fact]
    public void Members_that_stay_keep_their_status()
    {
        var ring = RingClaim.Initial(16, ["a", "b", "c"]).Ring.WithMemberStatus("b", MemberStatus.Down);
        var joined = RingClaim.Join(ring, ["d"]).Ring;
        Assert.Equal(MemberStatus.Down, joined.Members[joined.IndexOfMember("b")].Status);
        Assert.Equal(MemberStatus.Valid, joined.Members[joined.IndexOfMember("d")].Status);
    }
}
