using System.Text;
using Google.Protobuf;
using RingCore.Causality;
using RingCore.Hashing;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;
using RingCore.Transport;
using RingCore.Tests.TestKit;

namespace RingCore.Tests.Membership;

/// <summary>
/// A node that has left the ring serves nothing for the cluster any more (as
/// <c>RingNode.HasLeftRing</c> says): it went on coordinating and storing writes by
/// the last ring it held, so a counter actor still active on a node that had left stored an
/// acknowledged increment on three nodes that had all left, and it vanished when they stopped
/// (found by the membership partition suite's 10,000-schedule soak).
/// </summary>
public sealed class LeftNodeTests
{
    [Fact]
    public void A_write_through_nodes_that_have_left_the_ring_is_not_acknowledged()
    {
        var simulator = new Simulator(843);
        var (error, found) = simulator.Run<(Exception? Error, int Found)>(async () =>
        {
            // Exact reachability: the nodes that left still reach each other and answer (with heartbeats
            // they do too when they left at once, each still listing the others, as in the suite's case).
            var cluster = new TestCluster(7, ringSize: 16, nVal: 3, seed: 843, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: Detection.Exact());
            await cluster.LeaveAsync("n4");
            while (!cluster.Node("n4").HasLeftRing)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), simulator.Time);
            }

            // A key whose primaries by n4's last ring are three members; they leave too.
            string key = "k0";
            var primaries = cluster.Node("n4").PrimariesOf("b", key);
            foreach (var leaver in primaries)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), simulator.Time); // the ring of the change before reaches every member
                await cluster.LeaveAsync(leaver);
            }

            while (!primaries.All(n => cluster.Node(n).HasLeftRing))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), simulator.Time);
            }

            // n4 still routes by its last ring, where the key's primaries are the three that left.
            var error = await Record.ExceptionAsync(() =>
                cluster.Node("n4").PutAsync("b", key, Encoding.UTF8.GetBytes("late"), CausalContext.Empty, new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) }));
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            var read = await cluster.Node(cluster.Members[0]).GetAsync("b", key, new QuorumOptions { R = 3, Timeout = TimeSpan.FromSeconds(2) });
            return (error, read.Values.Count());
        }, TimeSpan.FromHours(1));

        Assert.True(error is not null || found == 1, "the write was acknowledged, and the cluster does not hold it");
        Assert.NotNull(error); // a node that has left takes no writes
    }

    [Fact]
    public void A_node_that_has_left_refuses_a_handoff_batch_so_the_sender_keeps_its_copy()
    {
        // A sender with a stale ring (or a hinted handoff to a primary that has left since) would
        // drop its copy on an acknowledgement; the left node hands nothing on and stops, so the
        // objects would be gone.
        var simulator = new Simulator(5);
        var (ack, stored) = simulator.Run<(HandoffAck? Ack, SiblingSet<ReadOnlyMemory<byte>>? Stored)>(async () =>
        {
            var cluster = new TestCluster(4, ringSize: 16, nVal: 3, seed: 5, time: simulator.Time, scheduler: simulator.Scheduler, nodeOptions: Detection.Exact());
            await cluster.Node("n1").PutAsync("b", "k", Encoding.UTF8.GetBytes("v"), CausalContext.Empty);
            var set = await cluster.Node("n1").GetAsync("b", "k", new QuorumOptions { R = 3 });
            await cluster.LeaveAsync("n4");
            while (!cluster.Node("n4").HasLeftRing)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), simulator.Time);
            }

            var sender = new Replies();
            var mallory = cluster.Network.Connect("sender");
            mallory.Attach(sender);
            var batch = new HandoffBatch { Partition = (uint)cluster.Ring.PartitionOf(XxHash64.Hash("k"u8, XxHash64.Hash("b"u8))) };
            var siblings = await cluster.Node("n1").ReadReplicaAsync("b", "k"u8.ToArray())
                ?? await cluster.Node("n2").ReadReplicaAsync("b", "k"u8.ToArray())
                ?? await cluster.Node("n3").ReadReplicaAsync("b", "k"u8.ToArray());
            batch.Objects.Add(new HandoffObject
            {
                Key = ByteString.CopyFrom(global::RingCore.Replication.ReplicationService.StoreKey("b", "k"u8)),
                Siblings = ByteString.CopyFrom(SiblingSetCodec.Encode(siblings!)),
            });
            mallory.Send("n4", new PeerFrame { RequestId = 1, ExpectsReply = true, Handoff = new HandoffMessage { Batch = batch } }.ToByteArray());
            await Task.Delay(TimeSpan.FromSeconds(1), simulator.Time);
            return (sender.Ack, await cluster.Node("n4").ReadReplicaAsync("b", "k"u8.ToArray()));
        }, TimeSpan.FromHours(1));

        Assert.NotNull(ack);
        Assert.Equal(0u, ack.Merged);
        Assert.Contains("has left", ack.Error, StringComparison.Ordinal);
        Assert.Null(stored);
    }

    private sealed class Replies : ITransportReceiver
    {
        public HandoffAck? Ack { get; private set; }

        public void Receive(string node, ReadOnlyMemory<byte> payload)
        {
            var frame = PeerFrame.Parser.ParseFrom(payload.Span);
            if (frame.IsReply && frame.Handoff?.Ack is { } ack)
            {
                Ack = ack;
            }
        }
    }
}
