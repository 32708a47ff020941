using FsCheck;
using FsCheck.Fluent;
using RingCore.Claim;
using RingCore.Preference;

namespace RingCore.Tests.Preference;

public sealed class AnnotatedPreferenceTableTests
{
    private sealed record Case(int PartitionCount, int Members, int NVal, bool[] Up)
    {
        public override string ToString() =>
            $"Q={PartitionCount} M={Members} N={NVal} down=[{string.Join(",", Enumerable.Range(0, Members).Where(i => !Up[i]))}]";
    }

    private static Gen<Case> Cases { get; } =
        from q in RingTestData.PartitionCounts
        from m in Gen.Choose(4, 40)
        from n in Gen.Choose(1, 4)
        from up in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false))), m)
        select new Case(q, m, n, up);

    [RingProperty]
    public Property Lists_put_up_primaries_first_then_one_distinct_up_fallback_per_down_primary()
    {
        return Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var ring = RingClaim.Initial(c.PartitionCount, RingTestData.Names(c.Members)).Ring;
            var table = AnnotatedPreferenceTable.Build(ring, c.NVal, c.Up);
            // Fallbacks are owners of later partitions, so only members that own a partition count
            // (with more members than partitions, some own none).
            int upOwners = ring.Owners.ToArray().Distinct().Count(owner => c.Up[owner]);
            for (int p = 0; p < c.PartitionCount; p++)
            {
                var list = table.ForPartition(p).ToArray();
                var primaries = Enumerable.Range(0, c.NVal).Select(i => (Partition: (p + i) % c.PartitionCount, Owner: ring.OwnerOf((p + i) % c.PartitionCount))).ToArray();
                var upPrimaries = primaries.Where(x => c.Up[x.Owner]).ToArray();
                var downPrimaries = primaries.Where(x => !c.Up[x.Owner]).ToArray();

                // Distinct, up members only.
                Assert.Equal(list.Length, list.Select(e => e.Member).Distinct().Count());
                Assert.All(list, e => Assert.True(c.Up[e.Member], $"down member in list, {c}"));

                // Primaries first, in ring order, exactly the up owners.
                Assert.Equal(upPrimaries, list.TakeWhile(e => e.IsPrimary).Select(e => (e.Partition, e.Member)));
                Assert.All(list.SkipWhile(e => e.IsPrimary), e => Assert.False(e.IsPrimary));

                // Each fallback serves a down primary's partition, names it, and each down primary has at most one.
                var fallbacks = list.Where(e => !e.IsPrimary).ToArray();
                Assert.All(fallbacks, f => Assert.Contains((f.Partition, f.StandsInFor), downPrimaries));
                Assert.Equal(fallbacks.Length, fallbacks.Select(f => f.Partition).Distinct().Count());

                // With enough up owners, every down primary has exactly one fallback.
                if (upOwners >= c.NVal)
                {
                    Assert.Equal(downPrimaries.Length, fallbacks.Length);
                    Assert.Equal(c.NVal, list.Length);
                }
            }

            return true;
        });
    }

    [Fact]
    public void Fallbacks_come_from_the_partitions_after_the_primaries_in_ring_order()
    {
        var ring = RingClaim.Initial(16, ["a", "b", "c", "d", "e", "f"]).Ring;
        int down = ring.OwnerOf(0);
        var up = Enumerable.Range(0, 6).Select(i => i != down).ToArray();
        var list = AnnotatedPreferenceTable.Build(ring, 3, up).ForPartition(0).ToArray();

        // Partition 0's owner is down: the first up member owning a partition from 3 onwards that
        // is not already a primary stands in for it.
        int expected = Enumerable.Range(3, 13).Select(ring.OwnerOf).First(o => up[o] && o != ring.OwnerOf(1) && o != ring.OwnerOf(2));
        Assert.Equal(new PreferenceEntry(0, expected, down), list[2]);
        Assert.Equal(new PreferenceEntry(1, ring.OwnerOf(1), -1), list[0]);
    }

    [Fact]
    public void When_all_but_two_members_are_down_lists_are_short_not_wrong()
    {
        var ring = RingClaim.Initial(32, ["a", "b", "c", "d", "e"]).Ring;
        var table = AnnotatedPreferenceTable.Build(ring, 3, ["a", "b"]);
        for (int p = 0; p < 32; p++)
        {
            var list = table.ForPartition(p);
            Assert.Equal(2, list.Length);
            Assert.NotEqual(list[0].Member, list[1].Member);
        }
    }

    [Fact]
    public void Rejects_unknown_members_and_a_wrong_sized_up_set()
    {
        var ring = RingClaim.Initial(32, ["a", "b", "c"]).Ring;
        Assert.Contains("'x' is not a member", Assert.Throws<ArgumentException>(() => AnnotatedPreferenceTable.Build(ring, 3, ["a", "x"])).Message);
        Assert.Throws<ArgumentException>(() => AnnotatedPreferenceTable.Build(ring, 3, new bool[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => AnnotatedPreferenceTable.Build(ring, 0, new bool[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => AnnotatedPreferenceTable.Build(ring, 3, new bool[3]).ForPartition(32));
    }
}
