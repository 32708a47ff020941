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
/// siblings created and merged, and the history checker's verdict. The same seed replays the same
/// run and prints the same bytes (progress goes to stderr, and only on a terminal); a failed
/// verdict exits 1.
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

        var command = new Command(Name,
            "Run one seeded fault schedule on an in-process cluster and check that no acknowledged write was lost. " +
            "Exits 0 when the verdict passes, 1 when it fails. Progress is shown on stderr when it is a terminal.");
        foreach (var option in new Option[] { nodes, seed, ops, faults, clients, lww, showSchedule })
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
            };
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
        foreach (var group in schedule.Steps.Where(s => s.IsFault).GroupBy(s => s.Kind).OrderBy(g => g.Key))
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
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Siblings: {verdict.SiblingReads} reads returned concurrent values; {verdict.SiblingsMerged} acknowledged writes merged siblings."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Acknowledged writes lost: {verdict.LostWrites}"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Replay: the same command replays this run exactly (delivery log {verdict.DeliveryLogHash:x16})."));
        if (verdict.Passed)
        {
            console.WriteLine("Verdict: PASSED (nothing lost, replicas converged, no phantom, counters exact, every request ended in time)");
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
        _ => kind.ToString(),
    };
}
