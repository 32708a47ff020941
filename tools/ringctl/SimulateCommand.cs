using System.CommandLine;
using System.Globalization;
using RingCore.Replication;
using RingCore.TestKit.Checking;
using RingCore.TestKit.Schedules;
using Spectre.Console;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// <c>ringctl simulate</c>: one seeded fault schedule on an in-process cluster with embedded
/// defaults (issue 5): the faults it injected, the operations acknowledged and failed, the
/// siblings created and merged, and the history checker's verdict. With <c>--membership</c> the
/// schedule also joins, leaves, force-removes and replaces nodes (issue 13), the cluster settles
/// after it, and the report adds the changes applied and refused, the transfers and the objects
/// handed off. Every report gives the anti-entropy totals; with <c>--aae</c> one node's store is
/// damaged in place of the lost disk, no repair read runs after the schedule, and the report adds
/// the damage and how long anti-entropy took to converge the primaries (issue 14). The same seed
/// replays the same run and prints the same bytes (progress goes to
/// stderr, and only on a terminal); a failed verdict exits 1.
/// </summary>
internal static class SimulateCommand
{
    private const string Name = "simulate";

    public static Command Create(CommandContext context)
    {
        var nodes = new Option<int>("--nodes") { Description = "Cluster size, 3 to 64.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seeds the schedule, the network and the interleaving.", DefaultValueFactory = _ => 42 };
        var ops = new Option<int>("--ops") { Description = "Client operations.", DefaultValueFactory = _ => 2000 };
        var faults = new Option<int>("--faults") { Description = "Faults: partitions, heals, crashes, restarts, one lost disk, network changes.", DefaultValueFactory = _ => 20 };
        var clients = new Option<int>("--clients") { Description = "Clients issuing operations.", DefaultValueFactory = _ => 3 };
        var lww = new Option<bool>("--last-write-wins") { Description = "Resolve concurrent writes by timestamp (and watch the checker report the writes that loses)." };
        var showSchedule = new Option<bool>("--show-schedule") { Description = "Print every step of the schedule." };
        var membership = new Option<bool>("--membership")
        {
            Description = "Also join, leave, force-remove and replace nodes among the faults; the cluster settles after the schedule and is read from the primaries only.",
        };
        var changes = new Option<int>("--changes") { Description = "Membership changes, with --membership.", DefaultValueFactory = _ => 4 };
        var aae = new Option<bool>("--aae")
        {
            Description = "Damage one node's store beneath it (objects deleted or corrupted) in place of the lost disk, and after the schedule do no repair reads: "
                + "wait for anti-entropy to give every key's primaries the merge of its replicas, within a bound.",
        };

        var command = new Command(Name,
            "Run one seeded fault schedule on an in-process cluster and check that no acknowledged write was lost. " +
            "Exits 0 when the verdict passes, 1 when it fails. Progress is shown on stderr when it is a terminal.");
        foreach (var option in new Option[] { nodes, seed, ops, faults, clients, lww, showSchedule, membership, changes, aae })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => context.Run(Name, () =>
        {
            var shape = new ScheduleShape
            {
                Nodes = Check("--nodes", parse.GetValue(nodes), 3, 64),
                Operations = Check("--ops", parse.GetValue(ops), 0, 1_000_000),
                Faults = Check("--faults", parse.GetValue(faults), 0, 100_000),
                Clients = Check("--clients", parse.GetValue(clients), 1, 1000),
                Membership = parse.GetValue(membership),
                MembershipChanges = Check("--changes", parse.GetValue(changes), 0, 1000),
                AntiEntropy = parse.GetValue(aae),
            };
            if (!shape.Membership && parse.GetResult(changes) is { Implicit: false })
            {
                throw new UsageException("--changes needs --membership.");
            }

            if (shape.Membership && shape.AntiEntropy)
            {
                throw new UsageException("--aae and --membership cannot be combined: an anti-entropy run keeps the ring it started with.");
            }

            var schedule = ScheduleGenerator.Generate(parse.GetValue(seed), shape);
            var options = new ScheduleRunOptions { Bucket = new BucketProperties { LastWriteWins = parse.GetValue(lww) } };
            var verdict = Run(context.Progress, schedule, options);
            Report(context.Console, verdict, parse.GetValue(showSchedule));
            return verdict.Passed ? ExitCodes.Success : ExitCodes.CheckFailed;
        }));
        return command;
    }

    private static int Check(string option, int value, int min, int max) =>
        value >= min && value <= max ? value : throw new UsageException($"{option} must be from {min} to {max} (got {value}).");

    /// <param name="progress">The terminal to show progress on, or null for none.</param>
    /// <param name="schedule">The schedule to run.</param>
    /// <param name="options">How to run it.</param>
    private static ScheduleVerdict Run(IAnsiConsole? progress, Schedule schedule, ScheduleRunOptions options)
    {
        if (progress is null)
        {
            return ScheduleRunner.Run(schedule, options);
        }

        ScheduleVerdict? verdict = null;
        progress.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
            .Start(display =>
            {
                var task = display.AddTask($"seed {schedule.Seed}: {schedule.Steps.Count} steps", maxValue: Math.Max(1, schedule.Steps.Count));
                verdict = ScheduleRunner.Run(schedule, options with { Progress = step => task.Value = step + 1 });
                task.Value = task.MaxValue;
            });
        return verdict!;
    }

    private static void Report(IAnsiConsole console, ScheduleVerdict verdict, bool showSchedule)
    {
        var schedule = verdict.Schedule;
        var history = verdict.History;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Simulated {schedule.Nodes} nodes, {schedule.Clients} clients, seed {schedule.Seed}: {verdict.VirtualTime.TotalSeconds:0.0} s of virtual time, {verdict.Messages} messages delivered."));

        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Faults injected ({schedule.Faults}):"));
        var faults = new Table().Border(TableBorder.Rounded).AddColumn("kind").AddColumn(new TableColumn("count").RightAligned());
        foreach (var group in schedule.Steps.Where(s => s.IsFault && !s.IsMembership).GroupBy(s => s.Kind).OrderBy(g => g.Key))
        {
            faults.AddRow(Describe(group.Key), group.Count().ToString(CultureInfo.InvariantCulture));
        }

        console.Write(faults);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Operations ({schedule.Operations}):"));
        var operations = new Table().Border(TableBorder.Rounded).AddColumn("kind").AddColumn(new TableColumn("acknowledged").RightAligned())
            .AddColumn(new TableColumn("failed").RightAligned()).AddColumn(new TableColumn("timed out").RightAligned());
        foreach (var group in history.GroupBy(op => op.Step.Kind).OrderBy(g => g.Key))
        {
            operations.AddRow(Describe(group.Key), Count(group, OperationOutcome.Ok), Count(group, OperationOutcome.Failed), Count(group, OperationOutcome.TimedOut));
        }

        console.Write(operations);
        if (schedule.Membership)
        {
            ReportMembership(console, verdict);
        }

        ReportAntiEntropy(console, verdict);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Siblings: {verdict.SiblingReads} reads returned concurrent values; {verdict.SiblingsMerged} acknowledged writes merged siblings."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Acknowledged writes lost: {verdict.LostWrites}"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Replay: the same command replays this run exactly (delivery log {verdict.DeliveryLogHash:x16})."));
        if (verdict.Passed)
        {
            console.WriteLine("Verdict: PASSED (nothing lost, replicas converged, no phantom, counters exact, every request ended in time)");
            if (schedule.Membership)
            {
                console.WriteLine("Settled: one ring on every node, balanced and diverse, nothing misplaced, one activation per actor.");
            }

            if (schedule.AntiEntropy)
            {
                console.WriteLine("Converged without repair reads: every key's primaries held the merge of its replicas within the bound.");
            }
        }
        else
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Verdict: FAILED, {verdict.Violations.Count} violations:"));
            foreach (var violation in verdict.Violations.Take(20))
            {
                console.WriteLine("  " + violation);
            }

            if (verdict.Violations.Count > 20)
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ... and {verdict.Violations.Count - 20} more"));
            }
        }

        if (showSchedule)
        {
            console.WriteLine(schedule.ToString());
        }
    }

    /// <summary>
    /// The cluster's anti-entropy totals (its <c>ringcore.aae.*</c> and <c>ringcore.store.corrupt_objects</c>
    /// counters); with <c>--aae</c>, the store damage and how long the primaries took to converge.
    /// </summary>
    private static void ReportAntiEntropy(IAnsiConsole console, ScheduleVerdict verdict)
    {
        var aae = verdict.AntiEntropy;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Anti-entropy: {aae.Exchanges} exchanges ({aae.ExchangesEqual} equal, {aae.ExchangesRepaired} repaired, {aae.ExchangesSkipped} skipped, {aae.ExchangesFailed} failed)."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Anti-entropy repairs: {aae.KeysRepaired} keys repaired, {aae.Bytes} bytes exchanged, {aae.TreesBuilt} tree builds, {aae.CorruptObjectsRead} corrupt objects read."));
        if (!verdict.Schedule.AntiEntropy)
        {
            return;
        }

        console.WriteLine(aae.DamagedNode is null
            ? "Store damage: none (the schedule has no fault to put it in)."
            : string.Create(CultureInfo.InvariantCulture,
                $"Store damage: {aae.DamagedNode} at t=+{aae.DamagedAt.TotalMilliseconds:0}ms ({(aae.DamagedWhileDown ? "down" : "up")}): {aae.ObjectsDeleted} objects deleted, "
                + $"{aae.ObjectsCorrupted} corrupted, {aae.ObjectsDamagedAtHeal} still damaged at the heal."));
        console.WriteLine(aae.ConvergedAfter is { } converged
            ? string.Create(CultureInfo.InvariantCulture,
                $"Convergence: every key's primaries held the merge of its replicas {converged.TotalSeconds:0} s after the heal (bound {aae.Bound.TotalSeconds:0} s).")
            : string.Create(CultureInfo.InvariantCulture, $"Convergence: the primaries had not converged {aae.Bound.TotalSeconds:0} s after the heal."));
    }

    private static void ReportMembership(IAnsiConsole console, ScheduleVerdict verdict)
    {
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Membership changes ({verdict.Schedule.MembershipChanges}):"));
        var table = new Table().Border(TableBorder.Rounded).AddColumn("kind");
        var outcomes = new[] { MembershipStepOutcome.Applied, MembershipStepOutcome.Refused, MembershipStepOutcome.TimedOut, MembershipStepOutcome.Skipped };
        foreach (var outcome in outcomes)
        {
            table.AddColumn(new TableColumn(Describe(outcome)).RightAligned());
        }

        foreach (var group in verdict.MembershipSteps.GroupBy(change => change.Step.Kind).OrderBy(g => g.Key))
        {
            table.AddRow([Describe(group.Key), .. outcomes.Select(outcome => group.Count(change => change.Outcome == outcome).ToString(CultureInfo.InvariantCulture))]);
        }

        console.Write(table);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Handoff: {verdict.TransfersCompleted} ownership transfers and repairs completed; {verdict.ObjectsHandedOff} objects handed off (transfers, repairs and hints)."));
        console.WriteLine("Members at the end: " + string.Join(" ", verdict.FinalMembers));
    }

    private static string Describe(MembershipStepOutcome outcome) => outcome switch
    {
        MembershipStepOutcome.TimedOut => "timed out",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    private static string Count(IEnumerable<OperationRecord> operations, OperationOutcome outcome) =>
        operations.Count(op => op.Outcome == outcome || (outcome == OperationOutcome.Failed && op.Outcome == OperationOutcome.NotApplied))
            .ToString(CultureInfo.InvariantCulture);

    private static string Describe(StepKind kind) => kind switch
    {
        StepKind.PutWithContext => "put with context",
        StepKind.PutBlind => "put without context",
        StepKind.Get => "get",
        StepKind.Delete => "delete",
        StepKind.ActorAsk => "actor ask (counter increment by default)",
        StepKind.Partition => "partition",
        StepKind.Heal => "heal",
        StepKind.Crash => "crash",
        StepKind.Restart => "restart",
        StepKind.Wipe => "lost disk",
        StepKind.NetworkFaults => "network drop/duplicate/delay change",
        StepKind.DamageStore => "store damage (objects deleted or corrupted beneath a node)",
        StepKind.Join => "join",
        StepKind.Leave => "leave",
        StepKind.ForceRemove => "force-remove (of a crashed node)",
        StepKind.Replace => "replace",
        _ => kind.ToString(),
    };
}
