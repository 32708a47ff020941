using Google.Protobuf;
using RingCore.Causality;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.TestKit;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

namespace RingCore.Tests.Replication;

/// <summary>Deletes and reaping, malformed peer messages, and last-write-wins on the simulated cluster.</summary>
public sealed class ReplicaNodeFaultTests
{
    [Fact]
    public async Task Tombstones_are_reaped_only_after_all_N_primaries_hold_them()
    {
        var cluster = new TestCluster(members: 4, ringSize: 16, seed: 7);
        var primaries = Primaries(cluster, "b", "k");
        var absent = primaries[2];
        var coordinator = primaries[0];
        await cluster.Node(coordinator).PutAsync("b", "k", Bytes("v"), CausalContext.Empty);
        var read = await cluster.Node(coordinator).GetAsync("b", "k", new QuorumOptions { R = 3 });

        cluster.Isolate(absent);
        await cluster.Node(coordinator).DeleteAsync("b", "k", read.Context);
        Assert.False((await cluster.Node(coordinator).GetAsync("b", "k")).Found);

        // A fallback stands in for the absent primary, so no read sees all N primaries: nothing is reaped.
        await Task.Delay(200);
        foreach (var primary in primaries.Take(2))
        {
            var held = await Replica(cluster, primary, "b", "k");
            Assert.True(held is not null && AllTombstones(held), $"{primary} still holds the tombstone");
        }

        cluster.Heal();
        await Eventually(async () =>
        {
            _ = await cluster.Node(coordinator).GetAsync("b", "k", new QuorumOptions { R = 3 });
            foreach (var primary in primaries)
            {
                if (await Replica(cluster, primary, "b", "k") is not null)
                {
                    return false;
                }
            }

            return true;
        }, "the tombstone is reaped from all three primaries");
    }

    [Fact]
    public async Task Malformed_messages_are_dropped_and_counted_and_the_node_keeps_serving()
    {
        var cluster = new TestCluster(members: 3, ringSize: 16, seed: 8);
        var mallory = cluster.Network.Connect("mallory");
        mallory.Send("n1", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });
        mallory.Send("n1", new ReplicaMessage { RequestId = 1, PutRequest = new PutRequest { Partition = 9999, Key = ByteString.CopyFrom(1, 2) } }.ToByteArray());
        mallory.Send("n1", new ReplicaMessage { RequestId = 2, PutRequest = new PutRequest { Partition = 0, Key = ByteString.CopyFrom(1, 2), Siblings = ByteString.CopyFrom(7, 7, 7) } }.ToByteArray());
        mallory.Send("n1", new ReplicaMessage { RequestId = 3, GetReply = new GetReply { Found = true, Siblings = ByteString.CopyFrom(1) } }.ToByteArray());
        cluster.Node("n1").Receive("n2", new byte[] { 0x0A });

        await Eventually(() => Task.FromResult(cluster.Node("n1").MalformedMessages >= 4), "n1 counted the malformed messages");
        await cluster.Node("n1").PutAsync("b", "k", Bytes("v"), CausalContext.Empty);
        Assert.Equal(["v"], Texts(await cluster.Node("n1").GetAsync("b", "k")));
    }

    [Fact]
    public async Task Last_write_wins_keeps_one_value_and_loses_the_concurrent_older_one()
    {
        var cluster = new TestCluster(members: 3, ringSize: 16, seed: 9);
        cluster.ConfigureBucket("lww", new BucketProperties { LastWriteWins = true });
        cluster.Partition(["n1", "n2"], ["n3"]);
        await cluster.Node("n1").PutAsync("lww", "k", Bytes("older"), CausalContext.Empty);
        await Task.Delay(5); // the timestamps come from the real clock here: make the second write later
        await cluster.Node("n3").PutAsync("lww", "k", Bytes("newer"), CausalContext.Empty, new QuorumOptions { W = 1 });
        cluster.Heal();

        var read = await cluster.Node("n1").GetAsync("lww", "k", new QuorumOptions { R = 3 });
        Assert.Equal(["newer"], Texts(read)); // "older" is lost by design
        await Eventually(async () =>
        {
            foreach (var node in cluster.Members)
            {
                if (await Replica(cluster, node, "lww", "k") is not { Count: 1 } set || set.Values[0].Span[^5..].SequenceEqual("older"u8))
                {
                    return false;
                }
            }

            return true;
        }, "every replica holds only the newer value");
    }
}
