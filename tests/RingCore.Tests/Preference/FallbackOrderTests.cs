using FsCheck;
using FsCheck.Fluent;
using RingCore.Claim;
using RingCore.Preference;
using RingCore.Ring;

namespace RingCore.Tests.Preference;

/// <summary>
/// Which fallback stands in for which down primary, and in what order, on small rings whose
/// expected lists are written out by hand. riak_core_apl:get_apl_ann walks the ring after the N
/// primaries once, in order, and gives the first up owner it meets to the first down primary, the
/// next to the second, and so on (find_fallbacks); RingCore also skips an owner already in the
/// list, so a key's replicas stay on distinct members.
/// </summary>
/// <remarks>
/// An entry is written "partition:member" for a primary and "partition:member&lt;down" for a
/// fallback that serves the down primary's partition.
/// </remarks>
public sealed class FallbackOrderTests
{
    // Eight partitions, eight members: partition p is owned by the p-th letter.
    private static readonly RingState Distinct = Ring("a", "b", "c", "d", "e", "f", "g", "h");

    [Theory]
    // No one down: the three primaries in ring order.
    [InlineData(0, "", "0:a 1:b 2:c")]
    // The middle primary down: the up primaries first, then its fallback, the owner of partition 3.
    [InlineData(0, "b", "0:a 2:c 1:d<b")]
    // Two primaries down: the first down primary (partition 0) gets the first owner after the
    // primaries (d, partition 3), the second (partition 2) the next one (e, partition 4).
    [InlineData(0, "a,c", "1:b 0:d<a 2:e<c")]
    // All three down: d, e, f in that order stand in for a, b, c in that order.
    [InlineData(0, "a,b,c", "0:d<a 1:e<b 2:f<c")]
    // The walk wraps past the top of the ring: partition 6's primaries are g, h, a, and its
    // fallbacks come from partitions 1, 2, ...
    [InlineData(6, "g,a", "7:h 6:b<g 0:c<a")]
    [InlineData(6, "g,h,a", "6:b<g 7:c<h 0:d<a")]
    // A down owner in the walk is passed over: with d down, a's fallback is e and c's is f.
    [InlineData(0, "a,c,d", "1:b 0:e<a 2:f<c")]
    public void Fallbacks_stand_in_for_the_down_primaries_in_ring_order(int partition, string down, string expected)
    {
        Assert.Equal(expected, Describe(Distinct, AnnotatedPreferenceTable.Build(Distinct, 3, Up(Distinct, down)).ForPartition(partition)));
    }

    [Fact]
    public void An_owner_already_in_the_list_is_passed_over_for_the_next_one()
    {
        // Partition 3 is b's again: b is a primary of partition 0 already, so a's fallback is d
        // (partition 4), a is down at partition 5, and c's fallback is e (partition 6).
        // get_apl_ann would name b twice (as primary and as a's fallback).
        var ring = Ring("a", "b", "c", "b", "d", "a", "e", "f");
        Assert.Equal("1:b 0:d<a 2:e<c", Describe(ring, AnnotatedPreferenceTable.Build(ring, 3, Up(ring, "a,c")).ForPartition(0)));
    }

    [Fact]
    public void When_the_walk_runs_out_the_first_down_primaries_keep_their_fallbacks_and_the_last_go_without()
    {
        // The owners repeat every four partitions: with a, b, c down only d is left to stand in,
        // and it stands in for the first down primary, a, not for b or c.
        var ring = Ring("a", "b", "c", "d", "a", "b", "c", "d");
        Assert.Equal("0:d<a", Describe(ring, AnnotatedPreferenceTable.Build(ring, 3, Up(ring, "a,b,c")).ForPartition(0)));

        // With b and c down, d stands in for b (partition 1), and nothing is left for c.
        Assert.Equal("0:a 1:d<b", Describe(ring, AnnotatedPreferenceTable.Build(ring, 3, Up(ring, "b,c")).ForPartition(0)));
    }

    [Fact]
    public void With_four_replicas_and_two_down_the_pairing_follows_ring_order_too()
    {
        Assert.Equal("0:a 3:d 1:e<b 2:f<c", Describe(Distinct, AnnotatedPreferenceTable.Build(Distinct, 4, Up(Distinct, "b,c")).ForPartition(0)));
        Assert.Equal("1:b 2:c 0:e<a 3:f<d", Describe(Distinct, AnnotatedPreferenceTable.Build(Distinct, 4, Up(Distinct, "a,d")).ForPartition(0)));
    }

    [Fact]
    public void The_plain_preference_list_is_the_owners_from_the_partition_on_wrapping()
    {
        var table = PreferenceTable.Build(Distinct, 4);
        Assert.Equal("g h a b", string.Join(' ', table.ForPartition(6, 4).ToArray().Select(m => Distinct.Members[m].Name)));
        Assert.Equal("h a", string.Join(' ', table.ForPartition(7, 2).ToArray().Select(m => Distinct.Members[m].Name)));
    }

    /// <summary>
    /// On random rings and up sets, the table equals get_apl_ann as written here from its Erlang
    /// (the primaries checked against the up set in order, then the rest of the ring walked once,
    /// each up owner not yet listed given to the next down primary), entry for entry.
    /// </summary>
    [RingProperty]
    public Property The_table_equals_get_apl_ann_with_distinct_members()
    {
        var cases = from q in Gen.Elements(8, 16, 32, 64)
                    from m in Gen.Choose(2, 12)
                    from n in Gen.Choose(1, 5)
                    from owners in Gen.ArrayOf(Gen.Choose(0, m - 1), q)
                    from up in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false))), m)
                    select (q, m, n, owners, up);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var names = Enumerable.Range(0, c.m).Select(i => $"m{i:D2}").ToArray();
            var ring = RingState.FromOwners(c.q, names.Select(name => new RingMember(name, MemberStatus.Valid)), [.. c.owners.Select(o => names[o])]);
            var table = AnnotatedPreferenceTable.Build(ring, c.n, c.up);
            for (int p = 0; p < c.q; p++)
            {
                Assert.Equal(Describe(ring, [.. GetAplAnn(c.owners, p, c.n, c.up)]), Describe(ring, table.ForPartition(p)));
            }

            return true;
        });
    }

    // riak_core_apl:get_apl_ann(DocIdx, N, Ring, UpNodes), with members as indexes (here they
    // are already sorted by name, as RingState sorts them) and owners in already used skipped.
    private static List<PreferenceEntry> GetAplAnn(int[] owners, int partition, int n, bool[] up)
    {
        int q = owners.Length;
        var preflist = Enumerable.Range(0, q).Select(i => (Partition: (partition + i) % q, Owner: owners[(partition + i) % q])).ToList();
        var primaries = preflist.Take(n).ToList();
        var rest = new Queue<(int Partition, int Owner)>(preflist.Skip(n));
        var result = primaries.Where(x => up[x.Owner]).Select(x => new PreferenceEntry(x.Partition, x.Owner, -1)).ToList();
        foreach (var pang in primaries.Where(x => !up[x.Owner]))
        {
            while (rest.TryDequeue(out var candidate))
            {
                if (up[candidate.Owner] && !result.Exists(e => e.Member == candidate.Owner))
                {
                    result.Add(new PreferenceEntry(pang.Partition, candidate.Owner, pang.Owner));
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>A ring whose partition p is owned by <paramref name="owners"/>[p]; members are the distinct names.</summary>
    private static RingState Ring(params string[] owners) =>
        RingState.FromOwners(owners.Length, owners.Distinct().Select(name => new RingMember(name, MemberStatus.Valid)), owners);

    private static bool[] Up(RingState ring, string down)
    {
        var names = down.Split(',', StringSplitOptions.RemoveEmptyEntries);
        return [.. ring.Members.Select(member => !names.Contains(member.Name))];
    }

    private static string Describe(RingState ring, ReadOnlySpan<PreferenceEntry> list)
    {
        var parts = new List<string>();
        foreach (var entry in list)
        {
            parts.Add(entry.IsPrimary
                ? $"{entry.Partition}:{ring.Members[entry.Member].Name}"
                : $"{entry.Partition}:{ring.Members[entry.Member].Name}<{ring.Members[entry.StandsInFor].Name}");
        }

        return string.Join(' ', parts);
    }
}
