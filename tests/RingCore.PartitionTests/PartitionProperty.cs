using FsCheck;
using FsCheck.Fluent;
using RingCore.TestKit.Checking;
using RingCore.TestKit.Schedules;

namespace RingCore.PartitionTests;

/// <summary>
/// Runs the partition properties the same way everywhere: 300 schedules in CI, or
/// RINGCORE_SCHEDULES of them for a soak; on failure FsCheck shrinks the schedule and throws
/// with its replay seed, and RINGCORE_REPLAY="seed,gamma" reruns exactly that case.
/// </summary>
internal static class PartitionProperty
{
    public const int DefaultSchedules = 300;

    public static int Schedules =>
        int.TryParse(Environment.GetEnvironmentVariable("RINGCORE_SCHEDULES"), out int soak) && soak > 0 ? soak : DefaultSchedules;

    public static void Check(Property property, int? runs = null)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(runs ?? Schedules);
        string? replay = Environment.GetEnvironmentVariable("RINGCORE_REPLAY");
        if (!string.IsNullOrWhiteSpace(replay))
        {
            var parts = replay.Trim('(', ')', ' ').Split(',');
            config = config.WithReplay(ulong.Parse(parts[0].Trim()), ulong.Parse(parts[1].Trim()));
        }

        global::FsCheck.Check.One(config, property);
    }

    /// <summary>Runs every schedule <paramref name="schedules"/> generates, hands each verdict to <paramref name="record"/> (the test's totals), and fails on the first that did not pass.</summary>
    public static void RunEach(Arbitrary<Schedule> schedules, Action<ScheduleVerdict> record) =>
        Check(Prop.ForAll(schedules, schedule =>
        {
            var verdict = ScheduleRunner.Run(schedule);
            record(verdict);
            Assert.True(verdict.Passed, verdict.ToString());
        }));
}
