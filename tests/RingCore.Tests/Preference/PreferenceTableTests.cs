using FsCheck;
using FsCheck.Fluent;
using RingCore.Claim;
using RingCore.Hashing;
using RingCore.Preference;

namespace RingCore.Tests.Preference;

public sealed class PreferenceTableTests
{
    [Fact]
    public void Each_list_is_the_owners_of_the_partition_and_those_after_it_wrapping()
    {
        var ring = RingClaim.Initial(64, RingTestData.Names(5)).Ring;
        var table = PreferenceTable.Build(ring, 4);
        for (int p = 0; p < 64; p++)
        {
            for (int n = 1; n <= 4; n++)
            {
                var list = table.ForPartition(p, n);
                Assert.Equal(n, list.Length);
                for (int i = 0; i < n; i++)
                {
                    Assert.Equal(ring.OwnerOf((p + i) % 64), list[i]);
                }
            }
        }
    }

    [RingProperty]
    public Property Lists_hold_distinct_members_whenever_the_claim_is_diverse()
    {
        var gen = from q in RingTestData.PartitionCounts
                  from m in Gen.Choose(4, 64)
                  from n in Gen.Choose(1, 4)
                  select (q, m, n);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var ring = RingClaim.Initial(t.q, RingTestData.Names(t.m)).Ring;
            var table = PreferenceTable.Build(ring, 4);
            for (int p = 0; p < t.q; p++)
            {
                var list = table.ForPartition(p, t.n).ToArray();
                if (list.Distinct().Count() != t.n)
                {
                    return false;
                }
            }

            return true;
        });
    }

    [Fact]
    public void A_key_routes_to_the_list_of_its_partition()
    {
        var ring = RingClaim.Initial(1024, RingTestData.Names(7)).Ring;
        var table = PreferenceTable.Build(ring, 4);
        var random = new Random(11);
        for (int i = 0; i < 500; i++)
        {
            var key = new byte[16];
            random.NextBytes(key);
            int partition = ring.PartitionOfKey(key);
            Assert.True(table.ForPartition(partition, 3).SequenceEqual(table.ForKey(key, 3)));
            Assert.True(table.ForPosition(XxHash64.Hash(key), 3).SequenceEqual(table.ForKey(key, 3)));
        }
    }

    [Fact]
    public void Rejects_an_n_val_wider_than_the_table_and_bad_partitions()
    {
        var table = PreferenceTable.Build(RingClaim.Initial(16, ["a", "b", "c", "d"]).Ring, 3);
        Assert.Contains("n_val must be from 1 to 3", Assert.Throws<ArgumentOutOfRangeException>(() => table.ForPartition(0, 4)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.ForPartition(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.ForPartition(16, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PreferenceTable.Build(table.Ring, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PreferenceTable.Build(table.Ring, 17));
    }
}
