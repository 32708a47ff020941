using RingCore.Claim;
using RingCore.Ring;

namespace RingCore.Tests.Claim;

/// <summary>
/// Fewer members than target_n: claim spaces them as far apart as there are members. The
/// integration test found a 3-node cluster (1 node, then 2 joins, target_n 4) where one member
/// owned partitions 34, 35 and 36, so the N = 3 replicas of their keys were one node, and every
/// write there failed W = 2.
/// </summary>
public sealed class SmallClusterSpacingTests
{
    [Theory]
    [InlineData(64, 1, 2)]
    [InlineData(64, 1, 3)]
    [InlineData(64, 2, 3)]
    [InlineData(256, 1, 3)]
    [InlineData(1024, 3, 2)]
    [InlineData(16, 2, 2)]
    public void A_ring_of_fewer_members_than_target_n_puts_them_as_far_apart_as_its_size_allows(int partitions, int start, int after)
    {
        var ring = RingClaim.Initial(partitions, Names(start)).Ring;
        var result = after > start ? RingClaim.Join(ring, Names(after).Skip(start)) : RingClaim.Leave(ring, Names(start).Skip(after));
        int spacing = Math.Min(4, after);

        // Within any window of `spacing` partitions, a member appears twice only where the ring's
        // size is not a multiple of the member count: at most the remainder's worth of windows.
        int windowsWithRepeats = Enumerable.Range(0, partitions).Count(p =>
            Enumerable.Range(0, spacing).Select(i => result.Ring.OwnerOf((p + i) % partitions)).Distinct().Count() < spacing);
        Assert.True(windowsWithRepeats <= (partitions % after) * (spacing - 1), $"{windowsWithRepeats} windows of {spacing} with a member twice");
        Assert.True(RingTestData.IsBalanced(result.Ring));
    }

    [Fact]
    public void Three_members_never_own_three_partitions_in_a_row()
    {
        var ring = RingClaim.Initial(64, ["a"]).Ring;
        var joined = RingClaim.Join(ring, ["b", "c"]).Ring;
        for (int p = 0; p < 64; p++)
        {
            var owners = Enumerable.Range(0, 3).Select(i => joined.OwnerOf((p + i) % 64)).Distinct().Count();
            Assert.True(owners >= 2, $"partitions {p}..{p + 2} all belong to {joined.OwnerMemberOf(p).Name}");
        }
    }

    private static string[] Names(int count) => [.. Enumerable.Range(1, count).Select(i => $"n{i}")];
}
