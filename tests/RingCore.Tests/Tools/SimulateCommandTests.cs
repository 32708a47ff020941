using RingCore.TestKit.Schedules;

namespace RingCore.Tests.Tools;

public sealed class SimulateCommandTests
{
    [Fact]
    public void Simulate_reports_faults_operations_siblings_and_the_verdict_of_the_seeded_run()
    {
        var expected = ScheduleRunner.Run(ScheduleGenerator.Generate(42, new ScheduleShape { Nodes = 5, Operations = 300, Faults = 12 }));

        var run = RingCtlRun.Of("simulate", "--nodes", "5", "--seed", "42", "--ops", "300", "--faults", "12");

        Assert.Equal(expected.Passed ? 0 : 1, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        Assert.Contains($"Simulated 5 nodes, 3 clients, seed 42:", run.Output, StringComparison.Ordinal);
        Assert.Contains($"{expected.Messages} messages delivered", run.Output, StringComparison.Ordinal);
        Assert.Contains("Acknowledged writes lost: 0", run.OutputLines);
        Assert.Contains($"Replay: the same command replays this run exactly (delivery log {expected.DeliveryLogHash:x16}).", run.OutputLines);
        Assert.Contains(run.OutputLines, line => line.StartsWith("Verdict: PASSED", StringComparison.Ordinal));
        Assert.Contains($"Siblings: {expected.SiblingReads} reads returned concurrent values; {expected.SiblingsMerged} acknowledged writes merged siblings.", run.OutputLines);
        var operations = run.TableAfter("Operations");
        Assert.Equal(expected.Acknowledged, operations.Sum(row => int.Parse(row[1])));
        var faults = run.TableAfter("Faults injected");
        Assert.Equal(12, faults.Sum(row => int.Parse(row[1])));
    }

    [Fact]
    public void Simulate_with_membership_reports_the_changes_applied_and_refused_the_handoff_and_the_members_at_the_end()
    {
        var shape = new ScheduleShape { Nodes = 5, Operations = 1000, Faults = 10, Membership = true, MembershipChanges = 6 };
        var expected = ScheduleRunner.Run(ScheduleGenerator.Generate(5, shape));

        var run = RingCtlRun.Of("simulate", "--membership", "--changes", "6", "--seed", "5", "--ops", "1000", "--faults", "10");

        Assert.Equal(expected.Passed ? 0 : 1, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        var changes = run.TableAfter("Membership changes (6)");
        Assert.Equal(6, changes.Sum(row => row.Skip(1).Sum(int.Parse)));
        foreach (var kind in new[] { StepKind.Join, StepKind.Leave, StepKind.Replace })
        {
            var row = changes.Single(r => r[0] == kind.ToString().ToLowerInvariant());
            Assert.Equal(expected.MembershipApplied(kind), int.Parse(row[1]));
        }

        Assert.Contains($"Handoff: {expected.TransfersCompleted} ownership transfers and repairs completed; {expected.ObjectsHandedOff} objects handed off (transfers, repairs and hints).",
            run.OutputLines);
        Assert.Contains("Members at the end: " + string.Join(" ", expected.FinalMembers), run.OutputLines);
        Assert.Contains("Settled: one ring on every node, balanced and diverse, nothing misplaced, one activation per actor.", run.OutputLines);
        var faults = run.TableAfter("Faults injected");
        Assert.Equal(10, faults.Sum(row => int.Parse(row[1]))); // membership changes are not counted as faults
    }

    [Fact]
    public void Simulate_reports_the_anti_entropy_totals_from_the_clusters_counters()
    {
        var expected = ScheduleRunner.Run(ScheduleGenerator.Generate(42, new ScheduleShape { Nodes = 5, Operations = 300, Faults = 12 })).AntiEntropy;

        var run = RingCtlRun.Of("simulate", "--nodes", "5", "--seed", "42", "--ops", "300", "--faults", "12");

        Assert.Contains($"Anti-entropy: {expected.Exchanges} exchanges ({expected.ExchangesEqual} equal, {expected.ExchangesRepaired} repaired, "
            + $"{expected.ExchangesSkipped} skipped, {expected.ExchangesFailed} failed).", run.OutputLines);
        Assert.Contains($"Anti-entropy repairs: {expected.KeysRepaired} keys repaired, {expected.Bytes} bytes exchanged, {expected.TreesBuilt} tree builds, "
            + $"{expected.CorruptObjectsRead} corrupt objects read.", run.OutputLines);
        Assert.True(expected.Exchanges > 0, "the run was long enough for a round of exchanges");
        Assert.DoesNotContain(run.OutputLines, line => line.StartsWith("Store damage:", StringComparison.Ordinal)); // only with --aae
    }

    [Fact]
    public void Simulate_with_aae_damages_a_store_and_reports_the_damage_and_how_long_anti_entropy_took_to_converge()
    {
        var schedule = ScheduleGenerator.Generate(3, new ScheduleShape { Nodes = 5, Operations = 300, Faults = 10, AntiEntropy = true });
        var expected = ScheduleRunner.Run(schedule);
        var aae = expected.AntiEntropy;

        var run = RingCtlRun.Of("simulate", "--aae", "--seed", "3", "--ops", "300", "--faults", "10");

        Assert.Equal(0, run.ExitCode);
        Assert.True(expected.Passed, expected.ToString());
        Assert.NotNull(aae.DamagedNode);
        Assert.Contains($"Store damage: {aae.DamagedNode} at t=+{aae.DamagedAt.TotalMilliseconds:0}ms ({(aae.DamagedWhileDown ? "down" : "up")}): "
            + $"{aae.ObjectsDeleted} objects deleted, {aae.ObjectsCorrupted} corrupted, {aae.ObjectsDamagedAtHeal} still damaged at the heal.", run.OutputLines);
        Assert.Contains($"Convergence: every key's primaries held the merge of its replicas {aae.ConvergedAfter!.Value.TotalSeconds:0} s after the heal "
            + $"(bound {aae.Bound.TotalSeconds:0} s).", run.OutputLines);
        Assert.Contains("Converged without repair reads: every key's primaries held the merge of its replicas within the bound.", run.OutputLines);
        var faults = run.TableAfter("Faults injected");
        Assert.Equal("1", faults.Single(row => row[0].StartsWith("store damage", StringComparison.Ordinal))[1]);
        Assert.DoesNotContain(faults, row => row[0] == "lost disk"); // the damage takes the wipe's place
    }

    [Fact]
    public void Simulate_refuses_aae_with_membership()
    {
        var run = RingCtlRun.Of("simulate", "--aae", "--membership");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("ringctl simulate: --aae and --membership cannot be combined: an anti-entropy run keeps the ring it started with.", run.Error.Trim());
    }

    [Fact]
    public void Simulate_refuses_changes_without_membership()
    {
        var run = RingCtlRun.Of("simulate", "--changes", "3");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("ringctl simulate: --changes needs --membership.", run.Error.Trim());
    }

    [Fact]
    public void Simulate_with_last_write_wins_reports_the_lost_writes_and_exits_1()
    {
        var run = RingCtlRun.Of("simulate", "--seed", "3", "--ops", "300", "--faults", "10", "--last-write-wins");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(run.OutputLines, line => line.StartsWith("Verdict: FAILED", StringComparison.Ordinal));
        Assert.Contains(run.OutputLines, line => line.Contains("lost write:", StringComparison.Ordinal));
        Assert.DoesNotContain("Acknowledged writes lost: 0", run.OutputLines);
    }

    [Fact]
    public void Simulate_writes_no_progress_to_a_redirected_output_so_two_runs_print_the_same()
    {
        // Long enough (a few seconds) that a progress display refreshes several times meanwhile.
        string[] args = ["simulate", "--seed", "7", "--ops", "10000", "--faults", "20"];

        var first = RingCtlRun.Of(args);
        var second = RingCtlRun.Of(args);

        Assert.DoesNotContain(first.OutputLines, line => line.Contains("steps", StringComparison.Ordinal) || line.EndsWith('%'));
        Assert.Equal(string.Empty, first.Error); // and none to stderr either: it is no terminal
        Assert.Equal(first.Output, second.Output);
    }

    [Theory]
    [InlineData("--nodes", "2", "--nodes must be from 3 to 64 (got 2).")]
    [InlineData("--ops", "-1", "--ops must be from 0 to 1000000 (got -1).")]
    [InlineData("--clients", "0", "--clients must be from 1 to 1000 (got 0).")]
    [InlineData("--changes", "-1", "--changes must be from 0 to 1000 (got -1).")]
    public void Simulate_refuses_bad_sizes_with_one_line_and_exit_code_2(string option, string value, string message)
    {
        var run = RingCtlRun.Of("simulate", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"ringctl simulate: {message}", run.Error.Trim());
        Assert.Equal(string.Empty, run.Output);
    }
}
