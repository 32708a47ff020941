using System.Globalization;
using RingCore.Claim;
using RingCore.Ring;
using Spectre.Console;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// Writes a plan for people: who owns how much before and after, which partitions move, and how
/// the claim measured up against its goals (balance, minimal movement, diversity).
/// </summary>
internal sealed class PlanReport
{
    private readonly IAnsiConsole _console;
    private readonly RingSetup _setup;

    public PlanReport(IAnsiConsole console, RingSetup setup)
    {
        _console = console;
        _setup = setup;
    }

    private RingState Before => _setup.Initial.Ring;

    private int TargetN => _setup.Claim.TargetN;

    /// <summary>The ring as it stands: partitions and share per node.</summary>
    public void WriteOwnership()
    {
        WriteRingLine();
        var table = NewTable(TextColumn("Node"), NumberColumn("Partitions"), NumberColumn("Share"));
        int[] owned = Before.CountOwnedPartitions();
        for (int i = 0; i < Before.Members.Length; i++)
        {
            table.AddRow(Cell(Before.Members[i].Name), Cell(Count(owned[i])), Cell(Share(owned[i])));
        }

        _console.Write(table);
    }

    /// <summary>The ring before and after the change, the transfers, and the claim's measures.</summary>
    public void WriteChange(IReadOnlyList<string> joining, IReadOnlyList<string> leaving, ClaimResult result)
    {
        WriteRingLine();
        var change = new List<string>();
        if (joining.Count > 0)
        {
            change.Add($"join {string.Join(", ", joining)}");
        }

        if (leaving.Count > 0)
        {
            change.Add($"leave {string.Join(", ", leaving)}");
        }

        _console.WriteLine($"Change: {string.Join("; ", change)}.");
        _console.WriteLine();
        WriteOwnershipChange(joining, leaving, result.Ring);
        _console.WriteLine();
        WriteTransfers(result);
        _console.WriteLine();
        WriteMeasures(result);
    }

    private void WriteRingLine() => _console.WriteLine(_setup.Describe());

    private void WriteOwnershipChange(IReadOnlyList<string> joining, IReadOnlyList<string> leaving, RingState after)
    {
        // Every node that owns something before or after, in the ring's (ordinal) name order.
        var nodes = Before.Members.Select(m => m.Name).Concat(joining).Order(StringComparer.Ordinal);
        int[] ownedBefore = Before.CountOwnedPartitions();
        int[] ownedAfter = after.CountOwnedPartitions();
        var table = NewTable(TextColumn("Node"), NumberColumn("Before"), NumberColumn("Share"),
            NumberColumn("After"), NumberColumn("Share"), NumberColumn("Change"));
        foreach (string node in nodes)
        {
            int before = Owned(Before, ownedBefore, node);
            int afterCount = Owned(after, ownedAfter, node);
            string label = joining.Contains(node) ? $"{node} (joining)"
                : leaving.Contains(node) ? $"{node} (leaving)"
                : node;
            string delta = afterCount == before ? "0"
                : (afterCount - before).ToString("+0;-0", CultureInfo.InvariantCulture);
            table.AddRow(Cell(label), Cell(Count(before)), Cell(Share(before)), Cell(Count(afterCount)), Cell(Share(afterCount)), Cell(delta));
        }

        _console.Write(table);
    }

    private void WriteTransfers(ClaimResult result)
    {
        if (result.Transfers.IsEmpty)
        {
            _console.WriteLine("Transfers: none; no partition changes owner.");
            return;
        }

        _console.WriteLine($"Transfers ({Count(result.Transfers.Length)}):");
        var table = NewTable(NumberColumn("Partition"), TextColumn("From"), TextColumn("To"));
        foreach (var transfer in result.Transfers)
        {
            table.AddRow(Cell(Count(transfer.Partition)), Cell(transfer.From), Cell(transfer.To));
        }

        _console.Write(table);
    }

    private void WriteMeasures(ClaimResult result)
    {
        int moved = result.Transfers.Length;
        _console.WriteLine($"Total moved: {Count(moved)} of {Count(Before.PartitionCount)} partitions ({Share(moved)}).");
        _console.WriteLine($"Minimum that balance requires: {Count(result.MinimumMoves)}.");
        _console.WriteLine(result.MovedMoreThanMinimum
            ? $"Extra moves for diversity: {Count(result.ExtraMovesForDiversity)} (to keep any {Count(TargetN)} consecutive partitions on distinct nodes)."
            : "Extra moves for diversity: none.");
        _console.WriteLine(result.Rebuilt
            ? "Ring rebuilt: yes (the incremental claim could not restore diversity, so the ring was laid out afresh)."
            : "Ring rebuilt: no.");

        int nodes = result.Ring.Members.Length;
        if (!result.DiversityPossible)
        {
            // Claim only promises diversity when there are at least target_n nodes to spread over.
            _console.WriteLine($"Diversity violations: {Count(result.DiversityViolations)} (expected: {Count(nodes)} nodes are fewer than target_n {Count(TargetN)}).");
            _console.WriteLine("Replicas of a key may share a node; add nodes or lower --target-n to avoid that.");
        }
        else if (result.DiversityViolations == 0)
        {
            _console.WriteLine($"Diversity violations: 0 (any {Count(TargetN)} consecutive partitions have distinct owners).");
        }
        else
        {
            _console.WriteLine(
                $"Diversity violations: {Count(result.DiversityViolations)}; some partitions less than {Count(TargetN)} apart share an owner, so replicas of a key may share a node.");
        }
    }

    private static int Owned(RingState ring, int[] owned, string node)
    {
        int index = ring.IndexOfMember(node);
        return index < 0 ? 0 : owned[index];
    }

    private string Share(int partitions) =>
        (partitions * 100.0 / Before.PartitionCount).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static Table NewTable(params TableColumn[] columns) => new Table().Border(TableBorder.Rounded).AddColumns(columns);

    private static TableColumn TextColumn(string header) => new(header);

    private static TableColumn NumberColumn(string header) => new TableColumn(header).RightAligned();

    // Text, not markup: a node named "[red]" must print as itself.
    private static Text Cell(string value) => new(value);
}
