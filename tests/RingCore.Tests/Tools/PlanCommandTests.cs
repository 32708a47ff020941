using System.Globalization;
using RingCore.Claim;
using RingCore.Ring;

namespace RingCore.Tests.Tools;

public sealed class PlanCommandTests
{
    [Fact]
    public void Join_prints_the_transfers_and_measures_that_the_claim_computes()
    {
        var expected = RingClaim.Join(Initial("a", "b", "c"), ["d"]);

        var run = RingCtlRun.Of("plan", "--ring-size", "64", "--nodes", "a,b,c", "--join", "d");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        Assert.Equal(Transfers(expected), run.TableAfter("Transfers"));
        Assert.Contains($"Transfers ({expected.Transfers.Length}):", run.OutputLines);
        Assert.Contains($"Total moved: {expected.Transfers.Length} of 64 partitions", run.Output);
        Assert.Contains($"Minimum that balance requires: {expected.MinimumMoves}.", run.OutputLines);
        Assert.Contains(expected.Rebuilt ? "Ring rebuilt: yes" : "Ring rebuilt: no.", run.Output);
        Assert.Contains($"Diversity violations: {expected.DiversityViolations} ", run.Output);
        Assert.Contains(
            expected.MovedMoreThanMinimum ? $"Extra moves for diversity: {expected.ExtraMovesForDiversity} " : "Extra moves for diversity: none.",
            run.Output);
    }

    // Where balance alone decides (the library reports no extra moves), a join only hands
    // partitions to the joining node. With a,b,c and target_n 4 that is not so: 3 nodes cannot be
    // diverse and 4 can, so the claim lays the ring out afresh (see the test above).
    [Theory]
    [InlineData("a,b,c,d", "e")]
    [InlineData("a,b,c,d,e", "f")]
    public void Join_without_extra_moves_hands_partitions_only_to_the_joining_node(string nodes, string joining)
    {
        var expected = RingClaim.Join(Initial(nodes.Split(',')), [joining]);
        Assert.False(expected.MovedMoreThanMinimum);

        var run = RingCtlRun.Of("plan", "--nodes", nodes, "--join", joining);

        Assert.Equal(0, run.ExitCode);
        var rows = run.TableAfter("Transfers");
        Assert.Equal(expected.Transfers.Length, rows.Count);
        Assert.All(rows, row => Assert.Equal(joining, row[2]));
        Assert.Contains("Extra moves for diversity: none.", run.OutputLines);
    }

    [Fact]
    public void Leave_moves_exactly_the_partitions_of_the_leaving_node()
    {
        var before = Initial("a", "b", "c");
        var expected = RingClaim.Leave(before, ["b"]);
        var ownedByB = Enumerable.Range(0, 64).Where(p => before.OwnerMemberOf(p).Name == "b").Select(Text).ToArray();

        var run = RingCtlRun.Of("plan", "--ring-size", "64", "--nodes", "a,b,c", "--leave", "b");

        Assert.Equal(0, run.ExitCode);
        var rows = run.TableAfter("Transfers");
        Assert.Equal(Transfers(expected), rows);

        // Every partition of b moves; with two members left, claim also spaces a and c apart so
        // that a preference list of N = 2 is two nodes, which moves some of theirs too.
        Assert.Subset(rows.Select(row => row[0]).ToHashSet(), ownedByB.ToHashSet());
        Assert.All(Enumerable.Range(0, 64), p => Assert.NotEqual(expected.Ring.OwnerMemberOf(p).Name, expected.Ring.OwnerMemberOf((p + 1) % 64).Name));
        Assert.Contains($"Total moved: {rows.Count} of 64 partitions", run.Output);

        // Two nodes are fewer than target_n 4: the plan must say replicas can share a node.
        Assert.Contains("may share a node", run.Output);
    }

    [Fact]
    public void Join_and_leave_together_are_one_rebalance()
    {
        var before = Initial("a", "b", "c", "d");
        var expected = RingClaim.Rebalance(before, ["b", "c", "d", "e", "f"]);

        var run = RingCtlRun.Of("plan", "--nodes", "a,b,c,d", "--join", "e", "--join", "f", "--leave", "a");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Transfers(expected), run.TableAfter("Transfers"));
        Assert.Contains("Change: join e, f; leave a.", run.OutputLines);
    }

    [Fact]
    public void Ownership_table_before_and_after_counts_each_nodes_partitions()
    {
        var before = Initial("a", "b", "c");
        var after = RingClaim.Join(before, ["d"]).Ring;

        var run = RingCtlRun.Of("plan", "--nodes", "a,b,c", "--join", "d");

        var rows = run.TableAfter("Change:");
        Assert.Equal(["a", "b", "c", "d (joining)"], rows.Select(r => r[0]));
        foreach (var row in rows)
        {
            string node = row[0].Split(' ')[0];
            Assert.Equal(Owned(before, node), int.Parse(row[1], CultureInfo.InvariantCulture));
            Assert.Equal(Owned(after, node), int.Parse(row[3], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Without_a_change_prints_only_the_ownership()
    {
        var ring = RingClaim.Initial(128, ["x", "y", "z"], new ClaimOptions { TargetN = 3 }).Ring;

        var run = RingCtlRun.Of("plan", "--ring-size", "128", "--nodes", "z,x,y", "--target-n", "3");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("Transfers", run.Output);
        var rows = run.TableAfter("Ring:");
        Assert.Equal(["x", "y", "z"], rows.Select(r => r[0]));
        int[] owned = ring.CountOwnedPartitions();
        Assert.Equal(owned.Select(Text), rows.Select(r => r[1]));
    }

    [Fact]
    public void Node_names_are_printed_as_text_not_markup()
    {
        var run = RingCtlRun.Of("plan", "--nodes", "[red]a,b[/]", "--join", "[bold]");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("[bold] (joining)", run.Output);
    }

    private static RingState Initial(params string[] nodes) => RingClaim.Initial(64, nodes).Ring;

    private static int Owned(RingState ring, string node)
    {
        int index = ring.IndexOfMember(node);
        return index < 0 ? 0 : ring.CountOwnedPartitions()[index];
    }

    private static string[][] Transfers(ClaimResult result) =>
        result.Transfers.Select(t => new[] { Text(t.Partition), t.From, t.To }).ToArray();

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
