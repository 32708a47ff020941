using RingCore.TestKit;
using RingCore.TestKit.Checking;
using RingCore.TestKit.Schedules;

namespace RingCore.Tests.TestKit;

/// <summary>The history checker on hand-made histories: each rule must fail when broken and pass when kept.</summary>
public sealed class HistoryCheckerTests
{
    [Fact]
    public async Task An_acknowledged_write_that_no_replica_holds_and_no_write_saw_is_lost()
    {
        var history = new[] { Put(0, "v0", seen: []), Put(1, "v1", seen: []) };
        var verdict = await CheckAsync(history, held: ["v1"]);

        Assert.Equal(1, verdict.LostWrites);
        Assert.Contains(verdict.Violations, v => v.StartsWith("lost write:", StringComparison.Ordinal) && v.Contains("v0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_write_superseded_by_a_write_that_saw_it_is_accounted_for_through_the_chain()
    {
        var history = new[] { Put(0, "v0", seen: []), Put(1, "v1", seen: ["v0"]), Put(2, "v2", seen: ["v1"]) };
        Assert.True((await CheckAsync(history, held: ["v2"])).Passed);

        // The chain must end in something held: if v2 is gone too, v0 and v1 count as lost.
        Assert.Equal(3, (await CheckAsync(history, held: [])).LostWrites);
    }

    [Fact]
    public async Task A_superseding_write_that_failed_accounts_only_if_it_survives()
    {
        var failed = Put(1, "v1", seen: ["v0"], OperationOutcome.Failed);
        Assert.True((await CheckAsync([Put(0, "v0", seen: []), failed], held: ["v1"])).Passed);
        Assert.Equal(1, (await CheckAsync([Put(0, "v0", seen: []), failed], held: [])).LostWrites);
    }

    [Fact]
    public async Task A_read_of_a_value_no_client_wrote_is_a_phantom_and_an_unexpected_error_is_reported()
    {
        var read = Record(1, StepKind.Get, OperationOutcome.Ok);
        read.Observed = ["ghost"];
        var broken = Record(2, StepKind.Get, OperationOutcome.Unexpected);
        broken.Error = "NullReferenceException: boom";
        var verdict = await CheckAsync([Put(0, "v0", seen: []), read, broken], held: ["v0"]);

        Assert.Contains(verdict.Violations, v => v.StartsWith("phantom:", StringComparison.Ordinal) && v.Contains("ghost", StringComparison.Ordinal));
        Assert.Contains(verdict.Violations, v => v.StartsWith("unexpected error:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_operation_that_ended_after_its_deadline_breaks_liveness()
    {
        var slow = Put(0, "v0", seen: []);
        slow.Completed = slow.Invoked + TimeSpan.FromSeconds(3);
        var verdict = await CheckAsync([slow], held: ["v0"]);
        Assert.Contains(verdict.Violations, v => v.StartsWith("liveness:", StringComparison.Ordinal));
    }

    private static OperationRecord Put(int index, string value, string[] seen, OperationOutcome outcome = OperationOutcome.Ok)
    {
        var record = Record(index, StepKind.PutWithContext, outcome);
        record.Written = value;
        record.Superseded = seen;
        return record;
    }

    private static OperationRecord Record(int index, StepKind kind, OperationOutcome outcome)
    {
        var step = new ScheduleStep(TimeSpan.FromMilliseconds(index), kind, 0, "k", [], null);
        return new OperationRecord(index, step, "n1", step.At, TimeSpan.FromSeconds(1)) { Outcome = outcome, Completed = step.At };
    }

    private static async Task<ScheduleVerdict> CheckAsync(OperationRecord[] history, string[] held)
    {
        var schedule = new Schedule(1, 3, 1, [.. history.Select(op => op.Step)]);
        var final = new FinalState();
        final.Values["k"] = [.. held];
        await using var cluster = new TestCluster(3, ringSize: 16);
        return HistoryChecker.Check(schedule, GCounter.Workload, history, final, cluster, [], 0, 0, TimeSpan.Zero);
    }
}
