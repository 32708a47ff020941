using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using RingCore.Diagnostics;
using RingCore.Protocol;
using RingCore.TestKit;
using RingCore.Transport;

namespace RingCore.Tests.Transport;

/// <summary>The one node-to-node request layer: ids, replies only from the node asked, the duplicate window, malformed frames.</summary>
public sealed class PeerRpcTests
{
    [Fact]
    public void A_reply_is_accepted_once_and_only_from_the_node_the_request_went_to()
    {
        using var pair = new Pair { Answers = false };
        var replies = new Replies();
        ulong id = pair.A.Send("b", Request("x"), replies, index: 7);
        var forged = new PeerFrame { RequestId = id, IsReply = true, Replica = new ReplicaMessage { GetReply = new GetReply { Error = "forged" } } };
        pair.Network.Connect("c").Send("a", forged.ToByteArray()); // the right id, the wrong node
        Assert.Empty(replies.Seen);

        pair.B.Reply(new PeerRequest("a", id, ExpectsReply: true), new PeerFrame { Replica = new ReplicaMessage { GetReply = new GetReply { Error = "ok from b" } } });
        pair.B.Reply(new PeerRequest("a", id, ExpectsReply: true), new PeerFrame { Replica = new ReplicaMessage { GetReply = new GetReply { Error = "again" } } });
        Assert.Equal([(7, "ok from b")], replies.Seen);
        Assert.Equal(0, pair.A.PendingCount);
    }

    [Fact]
    public void A_duplicated_request_is_served_once_and_its_reply_is_sent_again()
    {
        using var pair = new Pair();
        pair.Network.Faults = new NetworkFaults { DuplicateRate = 1 };
        var replies = new Replies();
        pair.A.Send("b", Request("k"), replies, atMostOnce: true);

        Assert.Single(pair.ServedByB);                                     // two copies arrived, one was served
        Assert.Equal(1, pair.Metrics.Count("ringcore.peer.duplicates", "b"));
        Assert.Single(replies.Seen);                                       // the replayed reply was a late duplicate for a
        Assert.True(pair.Metrics.Count("ringcore.peer.duplicates", "a") == 0); // finished request: ignored, not served
    }

    [Fact]
    public void An_idempotent_request_skips_the_duplicate_window()
    {
        using var pair = new Pair();
        pair.Network.Faults = new NetworkFaults { DuplicateRate = 1 };
        pair.A.Send("b", Request("k"), new Replies());
        Assert.Equal(["k", "k"], pair.ServedByB);                          // a read served twice is harmless, and costs no memory
        Assert.Equal(0, pair.Metrics.Count("ringcore.peer.duplicates", "b"));
    }

    [Fact]
    public void Malformed_frames_and_requests_for_no_service_are_counted_and_dropped()
    {
        using var pair = new Pair();
        var mallory = pair.Network.Connect("mallory");
        mallory.Send("b", new byte[] { 0xFF, 0xFF, 0xFF });
        mallory.Send("b", new PeerFrame { RequestId = 1, ExpectsReply = true }.ToByteArray());
        Assert.Equal(2, pair.Metrics.Count("ringcore.peer.malformed", "b"));
        Assert.Empty(pair.ServedByB);
    }

    [Fact]
    public void A_forgotten_request_ignores_its_late_reply_and_a_request_to_this_node_is_served_in_process()
    {
        using var pair = new Pair { Answers = false };
        var replies = new Replies();
        ulong id = pair.A.Send("b", Request("k"), replies);
        pair.A.Forget(id);
        pair.B.Reply(new PeerRequest("a", id, ExpectsReply: true), new PeerFrame { Replica = new ReplicaMessage { GetReply = new GetReply() } });
        Assert.Empty(replies.Seen);

        long sent = pair.Network.Statistics.Sent;
        pair.B.Send("b", Request("self"), replies);
        Assert.Equal(sent, pair.Network.Statistics.Sent);                 // nothing crossed the network
        Assert.Equal(2, pair.ServedByB.Count);
    }

    private static PeerFrame Request(string key) =>
        new() { Replica = new ReplicaMessage { GetRequest = new GetRequest { Key = ByteString.CopyFromUtf8(key) } } };

    /// <summary>Two nodes' PeerRpc on a simulated network that delivers in the sender's thread; b serves replica requests by echoing.</summary>
    private sealed class Pair : IDisposable
    {
        public Pair()
        {
            var a = Network.Connect("a");
            var b = Network.Connect("b");
            A = new PeerRpc(a, 100, TimeProvider.System, new PeerRpcOptions(), new RingCoreMetrics("a", Metrics), NullLogger.Instance);
            B = new PeerRpc(b, 5_000, TimeProvider.System, new PeerRpcOptions(), new RingCoreMetrics("b", Metrics), NullLogger.Instance);
            B.Register(PeerFrame.BodyOneofCase.Replica, new Echo(this));
        }

        public ClusterMetrics Metrics { get; } = new();

        public SimulatedNetwork Network { get; } = new(seed: 1, scheduler: new Inline());

        public PeerRpc A { get; }

        public PeerRpc B { get; }

        public List<string> ServedByB { get; } = [];

        /// <summary>Whether b answers what it serves (off: the test answers by hand).</summary>
        public bool Answers { get; init; } = true;

        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
            Metrics.Dispose();
        }
    }

    private sealed class Echo(Pair pair) : IPeerService
    {
        public void OnRequest(PeerRequest request, PeerFrame frame)
        {
            pair.ServedByB.Add(frame.Replica.GetRequest.Key.ToStringUtf8());
            if (pair.Answers)
            {
                pair.B.Reply(request, new PeerFrame { Replica = new ReplicaMessage { GetReply = new GetReply { Error = "echo" } } });
            }
        }
    }

    private sealed class Replies : IPeerReplyHandler
    {
        public List<(int Index, string Error)> Seen { get; } = [];

        public void OnReply(int index, PeerFrame reply) => Seen.Add((index, reply.Replica.GetReply.Error));
    }

    private sealed class Inline : RingCore.Runtime.IWorkScheduler
    {
        public void Schedule(IThreadPoolWorkItem workItem) => workItem.Execute();
    }
}
