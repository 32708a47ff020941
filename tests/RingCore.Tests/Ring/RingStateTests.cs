using RingCore.Claim;
using RingCore.Hashing;
using RingCore.Ring;

namespace RingCore.Tests.Ring;

public sealed class RingStateTests
{
    private static readonly RingMember[] ThreeMembers =
        [new("c", MemberStatus.Valid), new("a", MemberStatus.Valid), new("b", MemberStatus.Joining)];

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(12)]
    [InlineData(131072)]
    [InlineData(-8)]
    public void Rejects_a_ring_size_that_is_not_a_power_of_two_from_8_to_65536(int partitionCount)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            RingState.FromOwners(partitionCount, ThreeMembers, Enumerable.Repeat("a", Math.Max(0, partitionCount)).ToArray()));
        Assert.Contains("power of two from 8 to 65536", error.Message);
        Assert.Contains(partitionCount.ToString(), error.Message);
    }

    [Fact]
    public void Rejects_an_empty_member_set() =>
        Assert.Contains("at least one member",
            Assert.Throws<ArgumentException>(() => RingState.FromOwners(8, [], new string[8])).Message);

    [Fact]
    public void Rejects_a_member_status_that_is_not_one_of_the_enum()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            RingState.FromOwners(8, [new("a", (MemberStatus)9)], Enumerable.Repeat("a", 8).ToArray()));
        Assert.Contains("Joining, Valid, Leaving, Exiting or Down", error.Message);
        Assert.Contains("9", error.Message);

        var ring = RingClaim.Initial(8, ["a", "b"]).Ring;
        Assert.Equal("status", Assert.Throws<ArgumentOutOfRangeException>(() => ring.WithMemberStatus("a", (MemberStatus)(-1))).ParamName);
    }

    [Fact]
    public void Rejects_duplicate_member_names()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            RingState.FromOwners(8, [new("a", MemberStatus.Valid), new("a", MemberStatus.Down)], Enumerable.Repeat("a", 8).ToArray()));
        Assert.Contains("'a' is listed more than once", error.Message);
    }

    [Fact]
    public void Rejects_an_owner_that_is_not_a_member()
    {
        var owners = Enumerable.Repeat("a", 8).ToArray();
        owners[5] = "zed";
        var error = Assert.Throws<ArgumentException>(() => RingState.FromOwners(8, ThreeMembers, owners));
        Assert.Contains("Partition 5 is owned by 'zed'", error.Message);
    }

    [Fact]
    public void Rejects_an_owner_list_of_the_wrong_length() =>
        Assert.Throws<ArgumentException>(() => RingState.FromOwners(8, ThreeMembers, new[] { "a", "b" }));

    [Fact]
    public void Unknown_members_are_reported_by_name()
    {
        var ring = RingClaim.Initial(8, ["a", "b"]).Ring;
        Assert.Equal(-1, ring.IndexOfMember("x"));
        Assert.Contains("'x' is not a member", Assert.Throws<ArgumentException>(() => ring.RequireMember("x")).Message);
        Assert.Throws<ArgumentException>(() => ring.WithMemberStatus("x", MemberStatus.Down));
    }

    [Fact]
    public void Members_are_sorted_by_name_and_keep_their_status()
    {
        var ring = RingState.FromOwners(8, ThreeMembers, ["a", "b", "c", "a", "b", "c", "a", "b"]);
        Assert.Equal(["a", "b", "c"], ring.Members.Select(m => m.Name));
        Assert.Equal(MemberStatus.Joining, ring.Members[1].Status);
        Assert.Equal(2, ring.OwnerOf(2));
        Assert.Equal("c", ring.OwnerMemberOf(5).Name);
        Assert.Equal([3, 3, 2], ring.CountOwnedPartitions());
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1024)]
    [InlineData(65536)]
    public void A_position_maps_to_its_top_log2_Q_bits(int partitionCount)
    {
        var ring = RingClaim.Initial(partitionCount, ["a", "b", "c"]).Ring;
        int bits = System.Numerics.BitOperations.Log2((uint)partitionCount);
        Assert.Equal(0, ring.PartitionOf(0));
        Assert.Equal(partitionCount - 1, ring.PartitionOf(ulong.MaxValue));
        for (int p = 0; p < partitionCount; p += Math.Max(1, partitionCount / 64))
        {
            ulong start = (ulong)p << (64 - bits);
            ulong end = start + ((1UL << (64 - bits)) - 1);
            Assert.Equal(p, ring.PartitionOf(start));
            Assert.Equal(p, ring.PartitionOf(end));
        }
    }

    [Fact]
    public void A_key_maps_to_the_partition_of_its_XxHash64_position()
    {
        var ring = RingClaim.Initial(1024, ["a", "b", "c"]).Ring;
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var key = new byte[random.Next(0, 100)];
            random.NextBytes(key);
            Assert.Equal(ring.PartitionOf(XxHash64.Hash(key)), ring.PartitionOfKey(key));
            Assert.Equal((int)(XxHash64.Hash(key) >> 54), ring.PartitionOfKey(key));
        }
    }

    [Fact]
    public void Out_of_range_partitions_are_rejected_clearly()
    {
        var ring = RingClaim.Initial(8, ["a"]).Ring;
        Assert.Contains("from 0 to 7", Assert.Throws<ArgumentOutOfRangeException>(() => ring.OwnerOf(8)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.OwnerOf(-1));
    }

    [Fact]
    public void A_status_change_is_a_new_ring_with_a_higher_version()
    {
        var ring = RingClaim.Initial(16, ["a", "b", "c"]).Ring;
        var changed = ring.WithMemberStatus("b", MemberStatus.Down);
        Assert.Equal(ring.Version + 1, changed.Version);
        Assert.Equal(MemberStatus.Down, changed.Members[1].Status);
        Assert.Equal(MemberStatus.Valid, ring.Members[1].Status);
        Assert.True(ring.Owners.SequenceEqual(changed.Owners));
    }
}
