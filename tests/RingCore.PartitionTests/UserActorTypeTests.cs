using FsCheck.Fluent;
using RingCore.Actors;
using RingCore.TestKit.Schedules;
using Xunit.Abstractions;

namespace RingCore.PartitionTests;

/// <summary>
/// The partition suite run against an actor type of a user's own, the way the README shows: a
/// guest list whose Merge is a union keeps every acknowledged guest through partitions and
/// crashes; the same type with a Merge that keeps one version loses guests, and the suite says so.
/// </summary>
public sealed class UserActorTypeTests(ITestOutputHelper output)
{
    private static readonly ScheduleShape Shape = new() { Operations = 200, Faults = 10 };

    [Fact]
    public void A_guest_list_that_merges_by_union_keeps_every_acknowledged_guest()
    {
        var options = new ScheduleRunOptions { Workload = GuestList(mergeByUnion: true) };
        PartitionProperty.Check(Prop.ForAll(ScheduleArbitrary.Of(Shape), schedule =>
        {
            var verdict = ScheduleRunner.Run(schedule, options);
            Assert.True(verdict.Passed, verdict.ToString());
        }), runs: 100);
    }

    [Fact]
    public void A_guest_list_whose_merge_keeps_one_version_loses_guests_and_the_suite_catches_it()
    {
        var options = new ScheduleRunOptions { Workload = GuestList(mergeByUnion: false) };
        var failing = Enumerable.Range(1, 40).Select(seed => ScheduleRunner.Run(ScheduleGenerator.Generate(seed, Shape), options))
            .Where(verdict => !verdict.Passed).ToArray();

        Assert.NotEmpty(failing);
        Assert.Contains(failing.SelectMany(v => v.Violations), violation => violation.StartsWith("lost guests:", StringComparison.Ordinal));
        output.WriteLine($"{failing.Length} of 40 schedules caught the bad merge; the first: {failing[0].Violations[0]}");
    }

    [Fact]
    public void A_workload_whose_type_defines_no_Merge_is_refused_before_the_run()
    {
        var noMerge = new ActorWorkload<Guests>("guests", type => type.InitialState(_ => new Guests([])).On<Count, int>((g, _, _) => (g, g.Names.Length)),
            (_, _) => new Count(), () => new Count(), _ => null);
        var error = Assert.Throws<ArgumentException>(() => ScheduleRunner.Run(ScheduleGenerator.Generate(1, Shape), new ScheduleRunOptions { Workload = noMerge }));
        Assert.Contains("defines no Merge", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A user's actor type as a workload: each ask adds a unique guest; none acknowledged may go missing, none unasked may appear.</summary>
    private static ActorWorkload<Guests> GuestList(bool mergeByUnion) => new(
        "guests",
        type => type
            .InitialState(_ => new Guests([]))
            .On<Invite, int>((guests, invite, _) =>
            {
                var next = new Guests([.. guests.Names.Append(invite.Name).Distinct().Order(StringComparer.Ordinal)]);
                return (next, next.Names.Length);
            })
            .On<Count, int>((guests, _, _) => (guests, guests.Names.Length))
            .Merge(versions => mergeByUnion
                ? new Guests([.. versions.SelectMany(v => v.Names).Distinct().Order(StringComparer.Ordinal)])
                : versions[0]),
        message: (client, index) => new Invite($"c{client}.{index}"),
        probe: () => new Count(),
        check: outcome =>
        {
            var held = (outcome.Merged?.Names ?? []).ToHashSet(StringComparer.Ordinal);
            var missing = outcome.Acknowledged.Cast<Invite>().Select(i => i.Name).Where(name => !held.Contains(name)).ToArray();
            var invited = outcome.Acknowledged.Concat(outcome.Uncertain).Cast<Invite>().Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            var phantoms = held.Where(name => !invited.Contains(name)).ToArray();
            return missing.Length > 0 ? $"lost guests: {outcome.Key} lacks {string.Join(", ", missing)}"
                : phantoms.Length > 0 ? $"phantom guests: {outcome.Key} holds {string.Join(", ", phantoms)}, never invited"
                : null;
        });

    public sealed record Guests(string[] Names);

    public sealed record Invite(string Name);

    public sealed record Count;
}
