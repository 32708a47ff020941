using FsCheck;
using FsCheck.Fluent;
using RingCore.TestKit.Schedules;

namespace RingCore.PartitionTests;

/// <summary>
/// FsCheck's view of fault schedules: generated from a random seed by <see cref="ScheduleGenerator"/>
/// (so <c>ringctl simulate --seed</c> and a failing property name the same schedule), and shrunk
/// by removing steps, in halves, then quarters, down to single steps, towards the smallest
/// schedule that still fails.
/// </summary>
internal static class ScheduleArbitrary
{
    public static Arbitrary<Schedule> Of(ScheduleShape shape) =>
        Arb.From(Gen.Choose(1, int.MaxValue).Select(seed => ScheduleGenerator.Generate(seed, shape)), Shrink);

    /// <summary>Schedules of 5 to 7 nodes and 10 to 20 faults over <paramref name="shape"/>'s operations.</summary>
    public static Arbitrary<Schedule> Varying(ScheduleShape shape) =>
        Arb.From(
            from seed in Gen.Choose(1, int.MaxValue)
            from nodes in Gen.Choose(5, 7)
            from faults in Gen.Choose(10, 20)
            select ScheduleGenerator.Generate(seed, shape with { Nodes = nodes, Faults = faults }),
            Shrink);

    /// <summary>Membership schedules of 5 to 7 nodes, 10 to 20 faults and 2 to 6 membership changes over <paramref name="shape"/>'s operations.</summary>
    public static Arbitrary<Schedule> VaryingMembership(ScheduleShape shape) =>
        Arb.From(
            from seed in Gen.Choose(1, int.MaxValue)
            from nodes in Gen.Choose(5, 7)
            from faults in Gen.Choose(10, 20)
            from changes in Gen.Choose(2, 6)
            select ScheduleGenerator.Generate(seed, shape with { Nodes = nodes, Faults = faults, Membership = true, MembershipChanges = changes }),
            Shrink);

    /// <summary>Anti-entropy schedules (one node's store damaged, the final check waits for anti-entropy) of 5 to 7 nodes and 10 to 20 faults over <paramref name="shape"/>'s operations.</summary>
    public static Arbitrary<Schedule> VaryingAntiEntropy(ScheduleShape shape) =>
        Arb.From(
            from seed in Gen.Choose(1, int.MaxValue)
            from nodes in Gen.Choose(5, 7)
            from faults in Gen.Choose(10, 20)
            select ScheduleGenerator.Generate(seed, shape with { Nodes = nodes, Faults = faults, AntiEntropy = true }),
            Shrink);

    public static IEnumerable<Schedule> Shrink(Schedule schedule)
    {
        int count = schedule.Steps.Count;
        for (int chunk = count / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= count; start += chunk)
            {
                yield return schedule.Without(Enumerable.Range(start, chunk).ToHashSet());
            }
        }
    }
}
