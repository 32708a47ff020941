using Google.Protobuf;
using RingCore.Causality;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.TestKit;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

using RingCore.Tests.TestKit;

namespace RingCore.Tests.Replication;

/// <summary>Deletes and reaping, malformed peer messages, and last-write-wins on the simulated cluster (the timed ones on fake time).</summary>
public sealed class ReplicatedStoreFaultTests
{
    [Fact]
    public async Task Tombstones_are_reaped_only_after_all_N_primaries_hold_them()
    {
        await using var sim = new FakeTimeCluster(members: 4, ringSize: 16, seed: 7, nodeOptions: Detection.Exact());
        var cluster = sim.Cluster;
        var primaries = Primaries(cluster, "b", "k");
        var absent = primaries[2];
        var coordinator = sim.Node(primaries[0]);
        sim.Run(coordinator.PutAsync("b", "k", Bytes("v"), CausalContext.Empty));
        var read = sim.Run(coordinator.GetAsync("b", "k", new QuorumOptions { R = 3 }));

        cluster.Isolate(absent);
        sim.Run(coordinator.DeleteAsync("b", "k", read.Context));
        Assert.False(sim.Run(coordinator.GetAsync("b", "k")).Found);

        // A fallback stands in for the absent primary, so no read sees all N primaries: nothing is reaped.
        sim.Settle(TimeSpan.FromMilliseconds(200));
        foreach (var primary in primaries.Take(2))
        {
            var held = sim.Run(Replica(cluster, primary, "b", "k"));
            Assert.True(held is not null && AllTombstones(held), $"{primary} still holds the tombstone");
        }

        cluster.Heal();
        _ = sim.Run(coordinator.GetAsync("b", "k", new QuorumOptions { R = 3 })); // repairs the absent primary
        sim.Settle(TimeSpan.FromMilliseconds(50));
        _ = sim.Run(coordinator.GetAsync("b", "k", new QuorumOptions { R = 3 })); // all N hold it now: reaped after the delay
        sim.Settle(TimeSpan.FromMilliseconds(50));
        Assert.All(primaries, primary => Assert.NotNull(sim.Run(Replica(cluster, primary, "b", "k")))); // still within the 3 s delete_mode
        sim.Settle(BucketProperties.Default.TombstoneReapDelay);
        foreach (var primary in primaries)
        {
            Assert.Null(sim.Run(Replica(cluster, primary, "b", "k")));
        }
    }

    [Fact]
    public async Task Malformed_messages_are_dropped_and_counted_and_the_node_keeps_serving()
    {
        var cluster = new TestCluster(members: 3, ringSize: 16, seed: 8);
        var mallory = cluster.Network.Connect("mallory");
        mallory.Send("n1", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });
        mallory.Send("n1", new PeerFrame { RequestId = 1, ExpectsReply = true, Replica = new ReplicaMessage { PutRequest = new PutRequest { Partition = 9999, Key = ByteString.CopyFrom(1, 2) } } }.ToByteArray());
        mallory.Send("n1", new PeerFrame { RequestId = 2, ExpectsReply = true, Replica = new ReplicaMessage { PutRequest = new PutRequest { Partition = 0, Key = ByteString.CopyFrom(1, 2), Siblings = ByteString.CopyFrom(7, 7, 7) } } }.ToByteArray());
        mallory.Send("n1", new PeerFrame { RequestId = 3, Replica = new ReplicaMessage { GetReply = new GetReply { Found = true, Siblings = ByteString.CopyFrom(1) } } }.ToByteArray());
        mallory.Send("n1", new PeerFrame { RequestId = 4 }.ToByteArray()); // a request for no service
        mallory.Send("n1", new byte[] { 0x0A });

        await Eventually(() => Task.FromResult(cluster.Metrics.Count("ringcore.peer.malformed", "n1") >= 6), "n1 counted the malformed messages");
        await cluster.Node("n1").PutAsync("b", "k", Bytes("v"), CausalContext.Empty);
        Assert.Equal(["v"], Texts(await cluster.Node("n1").GetAsync("b", "k")));
    }

    [Fact]
    public async Task Last_write_wins_keeps_one_value_and_loses_the_concurrent_older_one()
    {
        await using var sim = new FakeTimeCluster(members: 3, ringSize: 16, seed: 9, nodeOptions: Detection.Exact());
        var cluster = sim.Cluster;
        cluster.ConfigureBucket("lww", new BucketProperties { LastWriteWins = true });
        cluster.Partition(["n1", "n2"], ["n3"]);
        sim.Run(sim.Node("n1").PutAsync("lww", "k", Bytes("older"), CausalContext.Empty));
        sim.Settle(TimeSpan.FromMilliseconds(5)); // the timestamps come from the virtual clock: the second write is later
        sim.Run(sim.Node("n3").PutAsync("lww", "k", Bytes("newer"), CausalContext.Empty, new QuorumOptions { W = 1 }));
        cluster.Heal();

        var read = sim.Run(sim.Node("n1").GetAsync("lww", "k", new QuorumOptions { R = 3 }));
        Assert.Equal(["newer"], Texts(read)); // "older" is lost by design
        sim.Settle(TimeSpan.FromMilliseconds(50)); // read repair
        foreach (var node in cluster.Members)
        {
            var set = sim.Run(Replica(cluster, node, "lww", "k"));
            Assert.True(set is { Count: 1 } && set.Values[0].Span[^5..].SequenceEqual("newer"u8), $"{node} holds only the newer value");
        }
    }
}
