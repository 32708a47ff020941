using FsCheck;
using FsCheck.Fluent;
using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>
/// Version vectors over random ids and counters (up to the top of the 64-bit range): merge is
/// a join (commutative, associative, idempotent, the least upper bound), descends is a partial
/// order, and descends, dominates, concurrent and compare agree with each other and with the
/// definition entry by entry.
/// </summary>
public sealed class VersionVectorPropertyTests
{
    private static readonly ReplicaId A = new(1), B = new(2), C = new(3);

    [RingProperty]
    public Property Merge_is_commutative_associative_idempotent_and_the_least_upper_bound()
    {
        return Prop.ForAll(CausalityTestData.RelatedVectors.ToArbitrary(), vectors =>
        {
            var (a, b, c) = (vectors[0], vectors[1], vectors[2]);
            var ab = a.Merge(b);
            CausalityTestData.Require(ab.Equals(b.Merge(a)), $"merge is not commutative for {a} and {b}");
            CausalityTestData.Require(ab.Merge(c).Equals(a.Merge(b.Merge(c))), $"merge is not associative for {a}, {b}, {c}");
            CausalityTestData.Require(a.Merge(a).Equals(a) && a.Merge(VersionVector.Empty).Equals(a), $"merge is not idempotent for {a}");
            CausalityTestData.Require(ab.Descends(a) && ab.Descends(b), "the merge descends both");
            CausalityTestData.Require(!(c.Descends(a) && c.Descends(b)) || c.Descends(ab), "anything that descends both descends their merge");
            foreach (var id in a.Ids.ToArray().Concat(b.Ids.ToArray()))
            {
                CausalityTestData.Require(ab.Get(id) == Math.Max(a.Get(id), b.Get(id)), "the merge takes the maximum of each entry");
            }

            return true;
        });
    }

    [RingProperty]
    public Property Descends_dominates_concurrent_and_compare_agree()
    {
        return Prop.ForAll(CausalityTestData.RelatedVectors.ToArbitrary(), vectors =>
        {
            var (a, b, c) = (vectors[0], vectors[1], vectors[2]);
            bool descends = a.Descends(b), descended = b.Descends(a);
            var order = a.Compare(b);

            CausalityTestData.Require(descends == DescendsByDefinition(a, b), $"descends({a}, {b}) disagrees with the definition");
            CausalityTestData.Require(order == (descends ? (descended ? CausalOrder.Equal : CausalOrder.After) : (descended ? CausalOrder.Before : CausalOrder.Concurrent)),
                $"compare({a}, {b}) = {order} disagrees with descends both ways");
            CausalityTestData.Require(b.Compare(a) == Mirror(order), "compare is antisymmetric");
            CausalityTestData.Require((order == CausalOrder.Equal) == a.Equals(b), "compare says equal exactly when the vectors are equal");
            CausalityTestData.Require(a.Dominates(b) == (descends && !a.Equals(b)), "dominates is descends and not equal");
            CausalityTestData.Require(a.IsConcurrentWith(b) == (!descends && !descended), "concurrent is neither descending the other");
            CausalityTestData.Require(a.IsConcurrentWith(b) == b.IsConcurrentWith(a), "concurrency is symmetric");
            CausalityTestData.Require(a.Descends(a) && !a.Dominates(a), "descends is reflexive, dominates is not");
            CausalityTestData.Require(!(a.Descends(b) && b.Descends(c)) || a.Descends(c), "descends is transitive");
            CausalityTestData.Require(a.Descends(VersionVector.Empty), "every history descends the empty one");
            CausalityTestData.Require(!a.Equals(b) || a.GetHashCode() == b.GetHashCode(), "equal vectors hash alike");
            return true;
        });
    }

    [RingProperty]
    public Property Increment_adds_one_event_of_one_replica()
    {
        var input =
            from vector in CausalityTestData.AnyVector(8)
            from fresh in CausalityTestData.AnyReplicaId
            from pick in Gen.Choose(0, 8)
            select (vector, fresh, pick);

        return Prop.ForAll(input.ToArbitrary(), x =>
        {
            var id = x.vector.Count > 0 && x.pick < x.vector.Count ? x.vector.Ids[x.pick] : x.fresh;
            if (x.vector.Get(id) == ulong.MaxValue)
            {
                return true; // covered by Increment_refuses_to_wrap_a_counter
            }

            var next = x.vector.Increment(id);
            CausalityTestData.Require(next.Dominates(x.vector), "an increment dominates what it extends");
            CausalityTestData.Require(next.Get(id) == x.vector.Get(id) + 1, "the replica's counter goes up by one");
            CausalityTestData.Require(next.Count == x.vector.Count + (x.vector.Get(id) == 0 ? 1 : 0), "only a new replica adds an entry");
            foreach (var other in x.vector.Ids)
            {
                CausalityTestData.Require(other == id || next.Get(other) == x.vector.Get(other), "other replicas' counters stay");
            }

            CausalityTestData.Require(VersionVector.IsStrictlyAscending(next.Ids), "ids stay sorted");
            return true;
        });
    }

    [Fact]
    public void Create_sorts_entries_and_rejects_zero_counters_and_duplicates()
    {
        var vector = VersionVector.Create([KeyValuePair.Create(C, 3UL), KeyValuePair.Create(A, 1UL), KeyValuePair.Create(B, 2UL)]);
        Assert.Equal([A, B, C], vector.Ids.ToArray());
        Assert.Equal([1UL, 2UL, 3UL], vector.Counters.ToArray());
        Assert.Equal(0UL, vector.Get(new ReplicaId(4)));
        Assert.Same(VersionVector.Empty, VersionVector.Create([]));
        Assert.Contains("counter 0", Assert.Throws<ArgumentException>(() => VersionVector.Create([KeyValuePair.Create(A, 0UL)])).Message);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(
            () => VersionVector.Create([KeyValuePair.Create(A, 1UL), KeyValuePair.Create(A, 2UL)])).Message);
    }

    [Fact]
    public void Increment_refuses_to_wrap_a_counter()
    {
        var full = VersionVector.Create([KeyValuePair.Create(A, ulong.MaxValue)]);
        Assert.Throws<OverflowException>(() => full.Increment(A));
    }

    [Fact]
    public void Merge_returns_the_descending_side_without_allocating_a_new_vector()
    {
        var older = VersionVector.Empty.Increment(A);
        var newer = older.Increment(B);
        Assert.Same(newer, older.Merge(newer));
        Assert.Same(newer, newer.Merge(older));
        Assert.Equal("[0000000000000001:1, 0000000000000002:1]", newer.ToString());
    }

    private static bool DescendsByDefinition(VersionVector a, VersionVector b)
    {
        var ids = b.Ids;
        var counters = b.Counters;
        for (int i = 0; i < ids.Length; i++)
        {
            if (a.Get(ids[i]) < counters[i])
            {
                return false;
            }
        }

        return true;
    }

    private static CausalOrder Mirror(CausalOrder order) => order switch
    {
        CausalOrder.Before => CausalOrder.After,
        CausalOrder.After => CausalOrder.Before,
        _ => order,
    };
}
