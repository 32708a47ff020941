using RingCore.Causality;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.VNodes;

namespace RingCore.Tests.Replication;

/// <summary>
/// Last-write-wins merges pick the same set whichever side is local: otherwise two replicas
/// would each keep their own copy after exchanging them, and anti-entropy (issue 14) would
/// repair them forever.
/// </summary>
public sealed class LastWriteWinsMergeTests
{
    private static readonly byte[] Key = [VNode.UserKeyPrefix, 1, 0, (byte)'b', (byte)'k'];

    private static readonly Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> LastWriteWins =
        static (local, incoming) => SiblingMerge.Merge(local, incoming, lastWriteWins: true);

    [Fact]
    public async Task Two_coordinators_writing_the_same_value_at_the_same_instant_end_with_the_same_set()
    {
        // Two clients put the same bytes through two coordinators in the same clock tick (a
        // manual clock in a test cluster does this every time): the sets are concurrent and their
        // newest values are byte for byte the same, so neither timestamp nor bytes decide.
        var first = new VNode("n1", 0, new MemoryVNodeStoreProvider(), () => 7);
        var second = new VNode("n2", 0, new MemoryVNodeStoreProvider(), () => 7);
        var value = ReplicaValue.Create("same"u8, timestamp: 1_000, tombstone: false);
        var a = await first.CoordinatePutAsync(Key, SiblingSet.New(value), lastWriteWins: true);
        var b = await second.CoordinatePutAsync(Key, SiblingSet.New(value), lastWriteWins: true);
        Assert.Equal(CausalOrder.Concurrent, a.Compare(b));

        // Each replica merges the other's set, as a replica put and an anti-entropy repair do.
        var firstAfter = await first.ReplicaPutAsync(Key, b, LastWriteWins);
        var secondAfter = await second.ReplicaPutAsync(Key, a, LastWriteWins);

        Assert.Equal(SiblingSetCodec.Encode(firstAfter), SiblingSetCodec.Encode(secondAfter));
        Assert.Same(SiblingMerge.Merge(a, b, lastWriteWins: true), SiblingMerge.Merge(b, a, lastWriteWins: true));
    }

    [Fact]
    public void A_later_timestamp_then_greater_bytes_decide_before_the_histories_do()
    {
        var a = SiblingSet.Update(SiblingSet.New(ReplicaValue.Create("a"u8, timestamp: 2, tombstone: false)), new ReplicaId(1));
        var b = SiblingSet.Update(SiblingSet.New(ReplicaValue.Create("b"u8, timestamp: 1, tombstone: false)), new ReplicaId(2));
        var c = SiblingSet.Update(SiblingSet.New(ReplicaValue.Create("c"u8, timestamp: 1, tombstone: false)), new ReplicaId(0));

        Assert.Same(a, SiblingMerge.Merge(a, b, lastWriteWins: true));
        Assert.Same(a, SiblingMerge.Merge(b, a, lastWriteWins: true));
        Assert.Same(c, SiblingMerge.Merge(b, c, lastWriteWins: true));
        Assert.Same(c, SiblingMerge.Merge(c, b, lastWriteWins: true));
    }
}
