using System.Text;
using RingCore.Causality;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.VNodes;

namespace RingCore.Tests.Replication;

public sealed class ReapedKeyTests
{
    private static readonly byte[] Key = [VNode.UserKeyPrefix, 1, 0, (byte)'b', (byte)'k'];

    [Fact]
    public async Task A_write_after_a_reap_is_not_dominated_by_a_late_copy_of_the_reaped_tombstone()
    {
        // Reaping drops the key's history, so with plain dvvset the next write would get the
        // vnode's dot 1 again, and the reaped tombstone (dot 2) would dominate it if a duplicated
        // message brought it back. The vnode's counter floor puts the new dot past every dot
        // it issued, so the late tombstone is the one superseded.
        var vnode = new VNode("n1", 0, new MemoryVNodeStoreProvider(), () => 7);
        var id = await vnode.IdAsync();
        var first = await vnode.CoordinatePutAsync(Key, ClientWrite(VersionVector.Empty, "v1", tombstone: false), lastWriteWins: false);
        var tombstone = await vnode.CoordinatePutAsync(Key, ClientWrite(first.Join(), "", tombstone: true), lastWriteWins: false);
        Assert.True(await vnode.ReapAsync(Key, local => local.Equals(tombstone, ByteValueComparer.Instance)));
        Assert.Null(await vnode.GetAsync(Key));

        var rewrite = await vnode.CoordinatePutAsync(Key, ClientWrite(VersionVector.Empty, "v2", tombstone: false), lastWriteWins: false);
        Assert.True(rewrite.Join().Get(id) > tombstone.Join().Get(id), "the new dot is past the reaped one");

        var afterLateCopy = await vnode.ReplicaPutAsync(Key, tombstone, (local, incoming) => SiblingMerge.Merge(local, incoming, lastWriteWins: false));
        Assert.Equal(["v2"], afterLateCopy.Values.Where(v => !ReplicaValue.IsTombstone(v)).Select(v => Encoding.UTF8.GetString(ReplicaValue.Payload(v).Span)));
        Assert.True(afterLateCopy.Equals((await vnode.GetAsync(Key))!, ByteValueComparer.Instance), "the vnode stored what it answered");
    }

    [Fact]
    public void The_floor_applies_only_where_the_replica_has_no_live_value_so_no_value_changes_its_dot()
    {
        var replica = new ReplicaId(1);
        var other = new ReplicaId(2);
        var stored = SiblingSet.Update(SiblingSet.New(VersionVector.Empty, "a"), SiblingSet<string>.Empty, replica);

        // A live value of the replica: the counter continues at 2, whatever the floor.
        var next = SiblingSet.Update(SiblingSet.New(VersionVector.Empty, "b"), stored, replica, counterFloor: 100);
        Assert.Equal(2UL, next.Join().Get(replica));
        Assert.Equal(["a", "b"], next.Values.Order());

        // No live value of the replica in this key (only another replica's): the dot jumps past the floor.
        var elsewhere = SiblingSet.Update(SiblingSet.New(VersionVector.Empty, "c"), SiblingSet<string>.Empty, other);
        var jumped = SiblingSet.Update(SiblingSet.New(VersionVector.Empty, "d"), elsewhere, replica, counterFloor: 100);
        Assert.Equal(101UL, jumped.Join().Get(replica));
        Assert.Equal(["c", "d"], jumped.Values.Order());
    }

    private static SiblingSet<ReadOnlyMemory<byte>> ClientWrite(VersionVector context, string text, bool tombstone) =>
        SiblingSet.New(context, ReplicaValue.Create(Encoding.UTF8.GetBytes(text), timestamp: 1, tombstone));
}
