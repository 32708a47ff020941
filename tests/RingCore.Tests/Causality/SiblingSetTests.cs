using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>
/// The examples of dvvset.erl's own EUnit tests (join_test, update_test, sync_test,
/// syn_update_test, less_test, equal_test, reconcile_test, lww_last_test, map_test), with
/// replicas a, b, c, x for dvvset's atoms, so this port is checked against the original's
/// expected results; then the argument checks and the anonymous-value edge cases.
/// </summary>
public sealed class SiblingSetTests
{
    private static readonly ReplicaId IdA = new(1), IdB = new(2), IdC = new(3), IdX = new(24);

    [Fact]
    public void Join_is_the_history_as_a_version_vector()
    {
        var a = SiblingSet.New("v1");
        var a1 = SiblingSet.Update(a, IdA);
        var b1 = SiblingSet.Update(SiblingSet.New(a1.Join(), "v2"), a1, IdB);
        Assert.Equal(VersionVector.Empty, a.Join());
        Assert.Equal("a:1", Vector(a1.Join()));
        Assert.Equal("a:1 b:1", Vector(b1.Join()));
    }

    [Fact]
    public void Update_gives_the_write_the_next_dot_and_drops_what_its_context_saw()
    {
        var a0 = SiblingSet.Update(SiblingSet.New("v1"), IdA);
        var a1 = SiblingSet.Update(SiblingSet.New(a0.Join(), "v2"), a0, IdA);
        var a2 = SiblingSet.Update(SiblingSet.New(a1.Join(), "v3"), a1, IdB);
        var a3 = SiblingSet.Update(SiblingSet.New(a0.Join(), "v4"), a1, IdB);
        var a4 = SiblingSet.Update(SiblingSet.New(a0.Join(), "v5"), a1, IdA);
        Assert.Equal("a:1[v1]", Shape(a0));
        Assert.Equal("a:2[v2]", Shape(a1));
        Assert.Equal("a:2[] b:1[v3]", Shape(a2));
        Assert.Equal("a:2[v2] b:1[v4]", Shape(a3));
        Assert.Equal("a:3[v5,v2]", Shape(a4));
    }

    [Fact]
    public void Sync_keeps_the_values_neither_side_has_superseded()
    {
        var x = Set<string>((IdX, 1, []));
        var a = SiblingSet.Update(SiblingSet.New("v1"), IdA);
        var y = SiblingSet.Update(SiblingSet.New("v2"), IdB);
        var a1 = SiblingSet.Update(SiblingSet.New(a.Join(), "v2"), IdA);
        var a3 = SiblingSet.Update(SiblingSet.New(a1.Join(), "v3"), IdB);
        var a4 = SiblingSet.Update(SiblingSet.New(a1.Join(), "v3"), IdC);
        var w = Set<string>((IdA, 1, []));
        var z = Set((IdA, 2, ["v2", "v1"]));

        Assert.Equal("a:2[v2]", Shape(SiblingSet.Sync(w, z)));
        Assert.Equal("a:2[v2]", Shape(SiblingSet.Sync(z, w)));
        Assert.Equal(Shape(SiblingSet.Sync(a1, a)), Shape(SiblingSet.Sync(a, a1)));
        Assert.Equal("a:2[] b:1[v3] c:1[v3]", Shape(SiblingSet.Sync(a4, a3)));
        Assert.Equal("a:2[] b:1[v3] c:1[v3]", Shape(SiblingSet.Sync(a3, a4)));
        Assert.Equal("a:1[v1] x:1[]", Shape(SiblingSet.Sync(x, a)));
        Assert.Equal("a:1[v1] x:1[]", Shape(SiblingSet.Sync(a, x)));
        Assert.Equal("a:1[v1] b:1[v2]", Shape(SiblingSet.Sync(a, y)));
        Assert.Equal("a:1[v1] b:1[v2]", Shape(SiblingSet.Sync(y, a)));
    }

    [Fact]
    public void A_write_with_an_old_context_supersedes_only_the_value_that_context_saw()
    {
        // dvvset's syn_update_test: Mary writes v1; Peter reads it; Mary writes v2 without a
        // context; Peter writes v3 with the context of his read. v3 replaces v1 only.
        var a0 = SiblingSet.Update(SiblingSet.New("v1"), IdA);
        var peterRead = a0.Join();
        var a1 = SiblingSet.Update(SiblingSet.New("v2"), a0, IdA);
        var a2 = SiblingSet.Update(SiblingSet.New(peterRead, "v3"), a1, IdA);
        Assert.Equal("a:1", Vector(peterRead));
        Assert.Equal("a:2[v2,v1]", Shape(a1));
        Assert.Equal("a:3[v3,v2]", Shape(a2));
    }

    [Fact]
    public void Less_is_strict_dominance_of_the_histories()
    {
        var a = SiblingSet.Update(SiblingSet.New("v1"), IdA);
        var b = SiblingSet.Update(SiblingSet.New(a.Join(), "v2"), IdA);
        var b2 = SiblingSet.Update(SiblingSet.New(a.Join(), "v2"), IdB);
        var b3 = SiblingSet.Update(SiblingSet.New(a.Join(), "v2"), new ReplicaId(26));
        var c = SiblingSet.Update(SiblingSet.New(b.Join(), "v3"), a, IdC);
        var d = SiblingSet.Update(SiblingSet.New(c.Join(), "v4"), b2, new ReplicaId(4));
        Assert.True(a.Less(b));
        Assert.True(a.Less(c));
        Assert.True(b.Less(c));
        Assert.True(b.Less(d));
        Assert.True(b2.Less(d));
        Assert.True(a.Less(d));
        Assert.False(b2.Less(c));
        Assert.False(b.Less(b2));
        Assert.False(b2.Less(b));
        Assert.False(a.Less(a));
        Assert.False(c.Less(c));
        Assert.False(d.Less(b2));
        Assert.False(b3.Less(d));
        Assert.Equal(CausalOrder.Concurrent, b.Compare(b2));
        Assert.Equal(CausalOrder.After, d.Compare(b2));
    }

    [Fact]
    public void History_equality_ignores_the_values_and_full_equality_does_not()
    {
        var first = Set((IdA, 4, ["v5", "v0"]), (IdC, 1, ["v3"]));
        var second = Set((IdA, 4, ["v555", "v0"]), (IdC, 1, ["v3"]));
        var third = Set((IdA, 4, ["v5", "v0"]));
        Assert.True(first.HistoryEquals(second));
        Assert.False(first.Equals(second, null));
        Assert.True(first.Equals(Set((IdA, 4, ["v5", "v0"]), (IdC, 1, ["v3"])), null));
        Assert.False(first.HistoryEquals(third));
        Assert.Equal(3, first.Count);
        Assert.Equal(["v5", "v0", "v3"], first.Values.ToArray());
    }

    [Fact]
    public void Reconcile_merges_every_sibling_into_a_client_write_with_the_whole_history()
    {
        var x = Set((IdA, 4, [5, 2]), (IdB, 1, []), (IdC, 1, [3]));
        var sum = x.Reconcile(values => values.Sum());
        Assert.Equal([10], sum.Values.ToArray());
        Assert.Equal(1, sum.AnonymousCount);
        Assert.Equal(x.Join(), sum.Join());
        Assert.Equal([2], x.Reconcile(values => values.Min()).Values.ToArray());

        // Recorded by a replica, the merged value supersedes every sibling it merged.
        var stored = SiblingSet.Update(sum, x, IdB);
        Assert.Equal("a:4[] b:2[10] c:1[]", Shape(stored));
    }

    [Fact]
    public void Last_write_wins_picks_the_greatest_timestamp_among_all_siblings()
    {
        var x = Set((IdA, 4, [(5, 1002345L), (7, 1002340L)]), (IdB, 1, [(4, 1001340L)]));
        Assert.Equal((5, 1002345L), x.Last(v => v.Item2));

        // Every sibling competes, not only each replica's newest (see LastWriteWins' remarks).
        var older = Set((IdA, 2, [(1, 10L), (2, 30L)]), (IdB, 1, [(3, 20L)]));
        Assert.Equal((2, 30L), older.Last(v => v.Item2));
        var resolved = older.LastWriteWins(v => v.Item2);
        Assert.Equal([(2, 30L)], resolved.Values.ToArray());
        Assert.Equal(older.Join(), resolved.Join());
        Assert.Equal("a:3[(2, 30)] b:1[]", Shape(SiblingSet.Update(resolved, older, IdA)));

        // Ties go to the value later in Values.
        Assert.Equal(3, Set((IdA, 2, [1, 2]), (IdB, 1, [3])).Last(_ => 0));
        Assert.Throws<InvalidOperationException>(() => SiblingSet<int>.Empty.Last(v => v));
    }

    [Fact]
    public void Map_applies_a_function_to_every_value_and_keeps_the_history()
    {
        var b = Set((IdA, 4, [5, 0]), (IdC, 1, [2]));
        var doubled = b.Map(v => v * 2);
        Assert.Equal("a:4[10,0] c:1[4]", Shape(doubled));
        Assert.True(doubled.HistoryEquals(b.Map(v => v)));
    }

    [Fact]
    public void Update_accepts_only_a_single_value_without_a_dot()
    {
        var stored = SiblingSet.Update(SiblingSet.New("v1"), IdA);
        Assert.Contains("exactly one value without a dot", Assert.Throws<ArgumentException>(() => SiblingSet.Update(stored, IdB)).Message);
        Assert.Throws<ArgumentException>(() => SiblingSet.Update(SiblingSet<string>.Empty, stored, IdB));
        Assert.Throws<ArgumentException>(() => SiblingSet.Update(SiblingSet.Sync(SiblingSet.New("x"), SiblingSet.New("y")), IdB));
    }

    [Fact]
    public void Sync_keeps_one_copy_of_equal_anonymous_values_by_the_given_comparer()
    {
        ReadOnlyMemory<byte> first = new byte[] { 1, 2 }, same = new byte[] { 1, 2 };
        Assert.Equal(2, SiblingSet.Sync(SiblingSet.New(first), SiblingSet.New(same)).Count);
        var united = SiblingSet.Sync(SiblingSet.New(first), SiblingSet.New(same), ByteValueComparer.Instance);
        Assert.Equal(1, united.Count);
        Assert.True(united.Equals(SiblingSet.New(same), ByteValueComparer.Instance));
    }

    [Fact]
    public void Sync_is_not_associative_over_anonymous_values_which_is_why_replicas_store_only_dotted_ones()
    {
        // dvvset's sync keeps anonymous values by comparing whole histories, and they have no
        // dot to say which history saw them. Two concurrent client writes and a replica whose
        // history covers both: the grouping decides whether the values survive. Stored sets
        // never hold anonymous values (Update gives every value a dot), and on those sync is
        // associative (SiblingSetPropertyTests).
        var x = SiblingSet.New(VersionVector.Empty.Increment(IdA), "x");
        var y = SiblingSet.New(VersionVector.Empty.Increment(IdB), "y");
        var both = Set<string>((IdA, 1, []), (IdB, 1, []));
        Assert.Equal(2, SiblingSet.Sync(SiblingSet.Sync(x, y), both).Count);
        Assert.Equal(0, SiblingSet.Sync(x, SiblingSet.Sync(y, both)).Count);
    }

    /// <summary>A set from dvvset-style entries (id, counter, newest values first); no anonymous values.</summary>
    private static SiblingSet<T> Set<T>(params (ReplicaId Id, ulong Counter, T[] Values)[] entries) =>
        new(VersionVector.Create(entries.Select(e => KeyValuePair.Create(e.Id, e.Counter))),
            entries.Select(e => e.Values.Length).ToArray(), entries.SelectMany(e => e.Values).ToArray(), 0);

    private static string Name(ReplicaId id) => id.Value switch
    {
        1 => "a",
        2 => "b",
        3 => "c",
        24 => "x",
        _ => id.ToString(),
    };

    private static string Vector(VersionVector vector) =>
        string.Join(" ", vector.Ids.ToArray().Select((id, i) => $"{Name(id)}:{vector.Counters[i]}"));

    private static string Shape<T>(SiblingSet<T> set)
    {
        var parts = new List<string>();
        var values = set.Values;
        int offset = set.AnonymousCount;
        var history = set.Join();
        for (int i = 0; i < history.Count; i++)
        {
            int count = set.ValueCounts[i];
            parts.Add($"{Name(history.Ids[i])}:{history.Counters[i]}[{string.Join(",", values.Skip(offset).Take(count))}]");
            offset += count;
        }

        return set.AnonymousCount == 0 ? string.Join(" ", parts) : $"anonymous[{string.Join(",", values.Take(set.AnonymousCount))}] {string.Join(" ", parts)}";
    }
}
