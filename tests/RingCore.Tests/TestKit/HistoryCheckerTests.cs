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

    [Fact]
    public async Task An_acknowledged_blind_put_that_no_replica_holds_is_lost_though_a_later_blind_put_survives()
    {
        // A put without a context supersedes nothing: the later blind put is its sibling, not its successor.
        var verdict = await CheckAsync([BlindPut(0, "v0"), BlindPut(1, "v1")], held: ["v1"]);

        Assert.Equal(1, verdict.LostWrites);
        Assert.Contains(verdict.Violations, v => v.StartsWith("lost write: #0", StringComparison.Ordinal) && v.Contains("v0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_blind_put_is_accounted_for_by_a_held_write_that_saw_it_and_by_nothing_else()
    {
        Assert.True((await CheckAsync([BlindPut(0, "v0"), Put(1, "v1", seen: ["v0"])], held: ["v1"])).Passed);
        Assert.Equal(2, (await CheckAsync([BlindPut(0, "v0"), Put(1, "v1", seen: ["v0"])], held: [])).LostWrites);
        Assert.True((await CheckAsync([BlindPut(0, "v0"), BlindPut(1, "v1")], held: ["v0", "v1"])).Passed);
    }

    [Theory]
    // Acknowledged: it took effect, and what it saw is gone by design.
    [InlineData(OperationOutcome.Ok, 0)]
    // Failed or timed out: its coordinating replica may have recorded the tombstone before the
    // error (or the reply was what got lost), and a tombstone cannot be seen in the final state,
    // so it may have taken effect: what it saw may legitimately be gone.
    [InlineData(OperationOutcome.Failed, 0)]
    [InlineData(OperationOutcome.TimedOut, 0)]
    // Known not to have taken effect: it accounts for nothing, and the value it saw is lost.
    [InlineData(OperationOutcome.NotApplied, 1)]
    public async Task A_value_a_delete_saw_may_be_gone_only_if_the_delete_may_have_taken_effect(OperationOutcome delete, int lost)
    {
        var verdict = await CheckAsync([Put(0, "v0", seen: []), Delete(1, seen: ["v0"], delete)], held: []);
        Assert.Equal(lost, verdict.LostWrites);
        Assert.Equal(lost == 0, verdict.Violations.Count == 0);
    }

    [Theory]
    [InlineData(OperationOutcome.Ok)]
    [InlineData(OperationOutcome.Failed)]
    [InlineData(OperationOutcome.TimedOut)]
    public async Task A_delete_accounts_only_for_the_values_its_context_covered(OperationOutcome delete)
    {
        // The delete saw v0, not v1 (written concurrently): v1 gone is a loss, whatever the delete's fate.
        var history = new[] { Put(0, "v0", seen: []), BlindPut(1, "v1"), Delete(2, seen: ["v0"], delete) };
        var verdict = await CheckAsync(history, held: []);
        Assert.Equal(1, verdict.LostWrites);
        Assert.Contains(verdict.Violations, v => v.StartsWith("lost write: #1", StringComparison.Ordinal));

        // A delete with no context (it read nothing first) saw nothing and accounts for nothing.
        Assert.Equal(1, (await CheckAsync([Put(0, "v0", seen: []), Delete(1, seen: [], delete)], held: [])).LostWrites);
    }

    [Fact]
    public async Task A_chain_through_a_failed_put_ends_in_a_timed_out_delete_that_may_have_taken_effect()
    {
        // v1's put failed, but the delete saw v1, so v1 was recorded somewhere; the delete may have
        // removed it, and v1 superseded v0: nothing is lost.
        var history = new[] { Put(0, "v0", seen: []), Put(1, "v1", seen: ["v0"], OperationOutcome.Failed), Delete(2, seen: ["v1"], OperationOutcome.TimedOut) };
        Assert.True((await CheckAsync(history, held: [])).Passed);

        // The same chain ending in a delete known not to have happened accounts for nothing.
        history[2] = Delete(2, seen: ["v1"], OperationOutcome.NotApplied);
        Assert.Equal(1, (await CheckAsync(history, held: [])).LostWrites);
    }

    [Fact]
    public async Task A_put_reported_as_not_applied_must_not_be_read_or_held()
    {
        var notApplied = Put(0, "v0", seen: [], OperationOutcome.NotApplied);
        Assert.True((await CheckAsync([notApplied], held: [])).Passed);

        var verdict = await CheckAsync([notApplied], held: ["v0"]);
        Assert.Contains(verdict.Violations, v => v.StartsWith("not applied, yet seen:", StringComparison.Ordinal));

        var read = Record(1, StepKind.Get, OperationOutcome.Ok);
        read.Observed = ["v0"];
        Assert.Contains((await CheckAsync([notApplied, read], held: [])).Violations, v => v.StartsWith("not applied, yet seen:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OperationOutcome.Ok, true)]
    [InlineData(OperationOutcome.Failed, true)]
    [InlineData(OperationOutcome.TimedOut, true)]
    [InlineData(OperationOutcome.Unexpected, true)]
    [InlineData(OperationOutcome.Pending, true)]
    [InlineData(OperationOutcome.NotApplied, false)]
    public void Only_an_operation_known_not_to_have_happened_is_assumed_not_to_have(OperationOutcome outcome, bool mayHave)
    {
        Assert.Equal(mayHave, HistoryChecker.MayHaveTakenEffect(Record(0, StepKind.Delete, outcome)));
    }

    private static OperationRecord Put(int index, string value, string[] seen, OperationOutcome outcome = OperationOutcome.Ok)
    {
        var record = Record(index, StepKind.PutWithContext, outcome);
        record.Written = value;
        record.Superseded = seen;
        return record;
    }

    private static OperationRecord BlindPut(int index, string value, OperationOutcome outcome = OperationOutcome.Ok)
    {
        var record = Record(index, StepKind.PutBlind, outcome);
        record.Written = value;
        return record;
    }

    private static OperationRecord Delete(int index, string[] seen, OperationOutcome outcome)
    {
        var record = Record(index, StepKind.Delete, outcome);
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
