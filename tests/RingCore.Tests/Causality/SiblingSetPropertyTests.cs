using FsCheck;
using FsCheck.Fluent;
using RingCore.Causality;
using Xunit.Abstractions;

namespace RingCore.Tests.Causality;

/// <summary>
/// Properties of sibling sets over random histories of client writes (with and without a
/// context), reads and syncs on three replicas with random ids: sync is a join (commutative,
/// associative, idempotent), and the values every replica holds are exactly the writes no
/// later write has seen, checked against an exact causality oracle after every step.
/// </summary>
public sealed class SiblingSetPropertyTests(ITestOutputHelper output)
{
    private static readonly IEqualityComparer<int> Values = EqualityComparer<int>.Default;

    /// <summary>A history and three sets it produced, picked by index.</summary>
    private static Gen<(ReplicationHistory History, int A, int B, int C)> HistoryAndThreeSets { get; } =
        from history in CausalityTestData.Histories
        from a in Gen.Choose(0, int.MaxValue)
        from b in Gen.Choose(0, int.MaxValue)
        from c in Gen.Choose(0, int.MaxValue)
        select (history, a, b, c);

    [Fact]
    public void Every_replica_holds_exactly_the_writes_that_no_later_write_has_seen()
    {
        int histories = 0, writes = 0, mostSiblings = 0;
        PropertyCheck.Run(Prop.ForAll(CausalityTestData.Histories.ToArbitrary(), history =>
        {
            // Replay checks every step against the oracle and throws on the first difference.
            var run = history.Replay();
            histories++;
            writes += run.Writes;
            mostSiblings = Math.Max(mostSiblings, run.MostSiblings);
            return true;
        }));

        output.WriteLine($"{histories} histories, {writes} writes, at most {mostSiblings} siblings on a replica");
        Assert.True(mostSiblings >= 3, "the histories should reach several truly concurrent writes, or the property proves little");
    }

    [RingProperty]
    public Property Sync_is_commutative_associative_and_idempotent()
    {
        return Prop.ForAll(HistoryAndThreeSets.ToArbitrary(), input =>
        {
            var run = input.History.Replay();
            var a = Pick(run, input.A);
            var b = Pick(run, input.B);
            var c = Pick(run, input.C);
            var ab = SiblingSet.Sync(a, b);

            CausalityTestData.Require(ab.Equals(SiblingSet.Sync(b, a), Values), $"sync(a, b) != sync(b, a) for a = {a}, b = {b}");
            CausalityTestData.Require(SiblingSet.Sync(ab, c).Equals(SiblingSet.Sync(a, SiblingSet.Sync(b, c)), Values),
                $"sync is not associative for a = {a}, b = {b}, c = {c}");
            CausalityTestData.Require(SiblingSet.Sync(a, a).Equals(a, Values), $"sync(a, a) != a for a = {a}");
            CausalityTestData.Require(SiblingSet.Sync(a, SiblingSet<int>.Empty).Equals(a, Values), $"the empty set is not neutral for a = {a}");
            CausalityTestData.Require(SiblingSet.Sync(a, ab).Equals(ab, Values), $"syncing a again into sync(a, b) changed it, a = {a}, b = {b}");
            return true;
        });
    }

    [RingProperty]
    public Property Sync_unites_the_histories_and_keeps_only_values_of_either_side()
    {
        return Prop.ForAll(HistoryAndThreeSets.ToArbitrary(), input =>
        {
            var run = input.History.Replay();
            var a = Pick(run, input.A);
            var b = Pick(run, input.B);
            var ab = SiblingSet.Sync(a, b);

            CausalityTestData.Require(ab.Join().Equals(a.Join().Merge(b.Join())), "the synced history is the union of both");
            CausalityTestData.Require(ab.Values.All(v => a.Values.Contains(v) || b.Values.Contains(v)), "sync made up a value");

            // A value both sides hold stays; dvvset.erl's sync never drops a dot both still hold.
            CausalityTestData.Require(a.Values.Intersect(b.Values).All(ab.Values.Contains), "sync dropped a value both sides hold");
            CausalityTestData.Require(!a.Less(b) || (ab.Join().Equals(b.Join()) && ab.Values.All(b.Values.Contains)),
                "a causally older set adds no history and no value to a newer one");
            CausalityTestData.Require(a.Less(b) == (a.Compare(b) == CausalOrder.Before) && a.Less(b) == b.Join().Dominates(a.Join()),
                "less is strict dominance of the histories");
            return true;
        });
    }

    [RingProperty]
    public Property A_write_with_a_read_context_supersedes_exactly_what_the_read_returned()
    {
        var scenarios =
            from before in CausalityTestData.Histories
            from readAt in Gen.Choose(0, ReplicationHistory.ReplicaCount - 1)
            from after in CausalityTestData.Histories
            from writeAt in Gen.Choose(0, ReplicationHistory.ReplicaCount - 1)
            select (before, readAt, after, writeAt);

        return Prop.ForAll(scenarios.ToArbitrary(), scenario =>
        {
            var run = scenario.before.Replay();

            // Client 0 reads, then the other clients (never client 0) go on writing, reading and
            // syncing, then client 0 writes with its read's context, possibly at another replica.
            var read = run.Read(0, scenario.readAt).ToHashSet();
            foreach (var step in scenario.after.Steps)
            {
                run.Apply(step with { Client = 1 + (step.Client % (ReplicationHistory.ClientCount - 1)) });
            }

            var stored = run.Stored[scenario.writeAt].Values.ToHashSet();
            int write = run.Write(0, scenario.writeAt, withContext: true);
            run.CheckAll("client 0's write with its read's context");
            var now = run.Stored[scenario.writeAt].Values.ToHashSet();

            // What the read returned, and every write those values had themselves superseded:
            // the read's whole causal history.
            var readHistory = read.SelectMany(run.ContextOf).Concat(read).ToHashSet();
            var expected = stored.Where(v => !readHistory.Contains(v)).Append(write).ToHashSet();
            CausalityTestData.Require(!read.Overlaps(now), $"a value the read returned survived the write: read [{string.Join(", ", read)}], now [{string.Join(", ", now)}]");
            CausalityTestData.Require(now.SetEquals(expected),
                $"the write left [{string.Join(", ", now)}]; it should keep exactly the stored values written concurrently with the read, " +
                $"[{string.Join(", ", expected)}] (read [{string.Join(", ", read)}], stored before [{string.Join(", ", stored)}])");
            return true;
        });
    }

    [RingProperty]
    public Property Concurrent_writes_without_context_are_all_kept()
    {
        var scenarios =
            from ids in CausalityTestData.DistinctIds(ReplicationHistory.ReplicaCount)
            from count in Gen.Choose(1, 20)
            from coordinators in Gen.ArrayOf(Gen.Choose(0, ReplicationHistory.ReplicaCount - 1), count)
            select (ids, coordinators);

        return Prop.ForAll(scenarios.ToArbitrary(), scenario =>
        {
            var stored = scenario.ids.Select(_ => SiblingSet<int>.Empty).ToArray();
            for (int write = 0; write < scenario.coordinators.Length; write++)
            {
                int r = scenario.coordinators[write];
                stored[r] = SiblingSet.Update(SiblingSet.New(write), stored[r], scenario.ids[r]);
            }

            var everything = SiblingSet.Sync(stored);
            CausalityTestData.Require(everything.Values.Order().SequenceEqual(Enumerable.Range(0, scenario.coordinators.Length)),
                $"blind writes {scenario.coordinators.Length} became [{string.Join(", ", everything.Values)}]");
            return true;
        });
    }

    private static SiblingSet<int> Pick(ReplicationRun run, int index) =>
        run.Snapshots.Count == 0 ? SiblingSet<int>.Empty : run.Snapshots[index % run.Snapshots.Count];
}
