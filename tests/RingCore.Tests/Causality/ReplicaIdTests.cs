using FsCheck;
using FsCheck.Fluent;
using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>
/// Replica ids: derived deterministically from (node, partition, epoch), different for a new
/// epoch (so a vnode that lost its data never reuses its old dots: riak's KV679), and
/// unambiguous in how the three parts are encoded.
/// </summary>
public sealed class ReplicaIdTests
{
    [Fact]
    public void The_same_vnode_incarnation_always_gets_the_same_id()
    {
        // Pinned: ids are written into every stored clock, so the derivation must never change.
        var id = ReplicaId.Create("node-a@10.0.0.1", 17, 3);
        Assert.Equal(id, ReplicaId.Create("node-a@10.0.0.1", 17, 3));
        Assert.Equal(PinnedId, id.Value);
        Assert.Equal(PinnedId.ToString("x16"), id.ToString());
        Assert.Equal(16, ReplicaId.Create("n", 0, 0).ToString().Length);
    }

    [RingProperty]
    public Property A_new_epoch_partition_or_node_gives_a_new_id()
    {
        var input =
            from node in Gen.Elements("a", "node-1", "node-2", "ringd@host.example", "ñodo")
            from partition in Gen.Choose(0, 65535)
            from epoch in Gen.Choose(0, int.MaxValue)
            select (node, partition, (ulong)epoch);

        return Prop.ForAll(input.ToArbitrary(), x =>
        {
            var id = ReplicaId.Create(x.node, x.partition, x.Item3);
            return id != ReplicaId.Create(x.node, x.partition, x.Item3 + 1)
                && id != ReplicaId.Create(x.node, (x.partition + 1) % 65536, x.Item3)
                && id != ReplicaId.Create(x.node + "x", x.partition, x.Item3);
        });
    }

    [Fact]
    public void The_encoding_of_the_parts_is_unambiguous()
    {
        // Without the node name's length in front, "ab" + partition bytes could collide with
        // "a" + other bytes; these are the shapes a naive concatenation confuses.
        Assert.NotEqual(ReplicaId.Create("a", 0x6200, 0), ReplicaId.Create("ab", 0, 0));
        Assert.NotEqual(ReplicaId.Create("node1", 1, 0), ReplicaId.Create("node", 11, 0));
        Assert.NotEqual(ReplicaId.Create("n", 1, 2), ReplicaId.Create("n", 2, 1));
    }

    [Fact]
    public void Bad_parts_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ReplicaId.Create("", 0, 0));
        Assert.Throws<ArgumentException>(() => ReplicaId.Create("  ", 0, 0));
        Assert.Throws<ArgumentNullException>(() => ReplicaId.Create(null!, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplicaId.Create("n", -1, 0));
        Assert.Contains("at most 1024 UTF-8 bytes", Assert.Throws<ArgumentException>(() => ReplicaId.Create(new string('x', 1025), 0, 0)).Message);
        Assert.NotEqual(default, ReplicaId.Create(new string('x', 1024), 0, ulong.MaxValue));
    }

    [Fact]
    public void Ids_order_by_their_value()
    {
        Assert.True(new ReplicaId(1).CompareTo(new ReplicaId(2)) < 0);
        Assert.True(new ReplicaId(ulong.MaxValue).CompareTo(new ReplicaId(0)) > 0);
    }

    private const ulong PinnedId = 0x44ee77bf2778d954UL;
}
