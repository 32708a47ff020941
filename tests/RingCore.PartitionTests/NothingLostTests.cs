using FsCheck.Fluent;
using RingCore.Replication;
using RingCore.TestKit.Checking;
using RingCore.TestKit.Schedules;
using Xunit.Abstractions;

namespace RingCore.PartitionTests;

/// <summary>
/// The partition suite (issue 5): fault schedules of 5 to 7 nodes, 3 clients, 200 operations
/// and 10 to 20 faults, run on the simulated cluster in seeded single-threaded order, checked for lost
/// acknowledged writes, divergence, phantoms, counter increments, single activation and liveness.
/// </summary>
public sealed class NothingLostTests(ITestOutputHelper output)
{
    private static readonly ScheduleShape Shape = new();

    [Fact]
    public void No_acknowledged_write_is_lost_under_partitions_crashes_a_lost_disk_and_message_loss()
    {
        var totals = new Totals();
        PartitionProperty.RunEach(ScheduleArbitrary.Varying(Shape), totals.Add);

        output.WriteLine(totals.ToString());
        Assert.True(totals.Schedules >= PartitionProperty.Schedules, $"ran {totals.Schedules} schedules");
        Assert.True(totals.Acknowledged > totals.Schedules * 50, $"only {totals.Acknowledged} operations were acknowledged: the schedules test little");
        Assert.True(totals.SiblingReads > 0, "no read ever saw siblings: the schedules never made concurrent writes");
    }

    [Fact]
    public void Without_partitions_or_crashes_an_actor_never_has_two_activations_and_nothing_is_lost_to_a_lossy_network()
    {
        // Only drops, duplicates and delays: routing never changes, so one activation per actor.
        var shape = Shape with { Partitions = false, Crashes = false };
        int activationsChecked = 0;
        PartitionProperty.Check(Prop.ForAll(ScheduleArbitrary.Of(shape), schedule =>
        {
            Assert.False(schedule.SplitsOrCrashes);
            var verdict = ScheduleRunner.Run(schedule);
            Assert.True(verdict.Passed, verdict.ToString());
            Interlocked.Add(ref activationsChecked, verdict.History.Count(op => op.Step.Kind == StepKind.ActorAsk && op.Outcome == OperationOutcome.Ok));
        }), runs: 100);

        Assert.True(activationsChecked > 1000, $"only {activationsChecked} acknowledged increments: the single-activation check saw little");
    }

    [Fact]
    public void The_same_seed_replays_the_same_run_and_another_seed_a_different_one()
    {
        var schedule = ScheduleGenerator.Generate(4242, Shape);
        var first = ScheduleRunner.Run(schedule);
        var again = ScheduleRunner.Run(schedule);
        var other = ScheduleRunner.Run(schedule with { Seed = 4243 });

        Assert.Equal(first.DeliveryLogHash, again.DeliveryLogHash);
        Assert.Equal(first.Messages, again.Messages);
        Assert.Equal(Outcomes(first), Outcomes(again));
        Assert.NotEqual(first.DeliveryLogHash, other.DeliveryLogHash);
        output.WriteLine($"seed 4242: {first.Messages} messages, delivery log {first.DeliveryLogHash:x16}; seed 4243: {other.DeliveryLogHash:x16}");
    }

    [Fact]
    public void Last_write_wins_loses_concurrent_writes_and_the_checker_reports_it()
    {
        // As Jepsen showed for Riak: with last-write-wins, one of two concurrent writes vanishes.
        var lww = new ScheduleRunOptions { Bucket = new BucketProperties { LastWriteWins = true } };
        var lossy = Enumerable.Range(1, 20).Select(seed => ScheduleRunner.Run(ScheduleGenerator.Generate(seed, Shape), lww)).Where(v => v.LostWrites > 0).ToArray();
        Assert.NotEmpty(lossy);
        output.WriteLine($"{lossy.Length} of 20 last-write-wins schedules lost acknowledged writes, {lossy.Sum(v => v.LostWrites)} in all; the first: "
            + lossy[0].Violations[0]);
    }

    [Fact]
    public void A_coordinator_that_acknowledges_before_W_replicas_is_caught_and_shrunk()
    {
        // The deliberately broken build: a put is acknowledged once its coordinator recorded it.
        var broken = new ScheduleRunOptions { Bucket = new BucketProperties { AcknowledgeBeforeQuorum = true } };
        var failure = Record.Exception(() => PartitionProperty.Check(Prop.ForAll(ScheduleArbitrary.Of(Shape), schedule =>
        {
            var verdict = ScheduleRunner.Run(schedule, broken);
            Assert.True(verdict.Passed, verdict.ToString());
        }), runs: PartitionProperty.DefaultSchedules));

        Assert.NotNull(failure);
        Assert.Contains("lost", failure.Message, StringComparison.Ordinal);
        int shrunk = failure.Message.IndexOf("Shrunk", StringComparison.Ordinal);
        output.WriteLine(shrunk < 0 ? failure.Message : failure.Message[shrunk..]);
    }

    private static string[] Outcomes(ScheduleVerdict verdict) =>
        [.. verdict.History.Select(op => $"{op.Index}:{op.Outcome}:{op.Completed.Ticks}:{string.Join(",", op.Observed)}")];

    private sealed class Totals
    {
        private readonly Lock _gate = new();

        public int Schedules { get; private set; }

        public long Operations { get; private set; }

        public long Acknowledged { get; private set; }

        public long Failed { get; private set; }

        public long Faults { get; private set; }

        public long SiblingReads { get; private set; }

        public long Lost { get; private set; }

        public void Add(ScheduleVerdict verdict)
        {
            lock (_gate)
            {
                Schedules++;
                Operations += verdict.Schedule.Operations;
                Acknowledged += verdict.Acknowledged;
                Failed += verdict.Failed;
                Faults += verdict.Schedule.Faults;
                SiblingReads += verdict.SiblingReads;
                Lost += verdict.LostWrites;
            }
        }

        public override string ToString() =>
            $"{Schedules} schedules, {Operations} operations ({Acknowledged} acknowledged, {Failed} failed or timed out), {Faults} faults, "
            + $"{SiblingReads} reads with siblings, acknowledged writes lost: {Lost}";
    }
}
