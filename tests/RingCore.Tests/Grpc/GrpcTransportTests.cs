using System.Buffers.Binary;
using Grpc.Core;
using RingCore.Grpc;
using static RingCore.Tests.Grpc.GrpcTestPeers;

namespace RingCore.Tests.Grpc;

/// <summary>The gRPC transport on real sockets (127.0.0.1, free ports): streams, the secret, limits, reconnects and the bounded queues.</summary>
public sealed class GrpcTransportTests
{
    [Fact]
    public async Task Messages_reach_the_peer_in_the_order_they_were_sent_named_from_their_sender()
    {
        await using var sender = await Start("a");
        await using var server = await Start("b");
        var received = new RecordingReceiver();
        server.Attach(received);
        Assert.StartsWith("b@127.0.0.1:", server.LocalNode, StringComparison.Ordinal);
        Assert.Equal(server.ListenAddress.Port, int.Parse(server.LocalNode.Split(':')[^1]));

        for (int i = 0; i < 2_000; i++)
        {
            sender.Send(server.LocalNode, Numbered(i));
        }

        await Eventually(() => received.Count == 2_000, "every message arrived");
        Assert.All(received.Received, message => Assert.Equal(sender.LocalNode, message.From));
        Assert.Equal(Enumerable.Range(0, 2_000), received.Received.Select(message => BinaryPrimitives.ReadInt32LittleEndian(message.Payload)));
        Assert.True(sender.IsReachable(server.LocalNode));

        // The sender counts an envelope once its write has completed and the server counts a
        // frame after handing it over, so the receiver may hold the last messages before
        // either count does.
        await Eventually(() => sender.Statistics.Sent >= 2_000 && server.Statistics.Received >= 2_000, "both ends counted every message");
        Assert.Equal(2_000, sender.Statistics.Sent);
        Assert.Equal(2_000, server.Statistics.Received);
        Assert.Equal(1, sender.Statistics.StreamsOpened);
    }

    [Fact]
    public async Task A_stream_without_the_secret_or_with_a_wrong_one_is_unauthenticated_and_delivers_nothing()
    {
        await using var server = await Start("b");
        var received = new RecordingReceiver();
        server.Attach(received);

        foreach (string? secret in new[] { null, "not-the-secret", "" })
        {
            using var stream = OpenRaw(server, "intruder@127.0.0.1:1", secret);
            await stream.WriteAsync(Envelope([1, 2, 3]));
            Assert.Equal(StatusCode.Unauthenticated, await stream.StatusAsync());
        }

        using (var unnamed = OpenRaw(server, node: null, Secret))
        {
            await unnamed.WriteAsync(Envelope([1, 2, 3]));
            Assert.Equal(StatusCode.Unauthenticated, await unnamed.StatusAsync());
        }

        // A RingCore node with the wrong secret: refused on every attempt, never reachable.
        await using var stranger = await Start("x", options => options.ClusterSecret = "another-cluster");
        stranger.Send(server.LocalNode, new byte[] { 4, 5, 6 });
        await Eventually(() => server.Statistics.StreamsRefused >= 6, "the stranger's stream was refused twice");
        Assert.False(stranger.IsReachable(server.LocalNode));
        Assert.Equal(0, received.Count);
        Assert.Equal(0, server.Statistics.Received);
    }

    [Fact]
    public async Task A_stream_meant_for_another_node_is_refused_and_the_right_secret_is_accepted()
    {
        await using var server = await Start("b");
        server.Attach(new RecordingReceiver());

        using (var misdirected = OpenRaw(server, "a@127.0.0.1:1", Secret, target: "c@127.0.0.1:1"))
        {
            Assert.Equal(StatusCode.FailedPrecondition, await misdirected.StatusAsync());
        }

        // An address book that sends "c" to b's address: the stream is refused, so b never serves c's traffic.
        await using var sender = await Start("a", options => options.AddressBook["c"] = $"127.0.0.1:{server.ListenAddress.Port}");
        sender.Send("c", new byte[] { 1 });
        await Eventually(() => server.Statistics.StreamsRefused >= 2, "the stream to the wrong node was refused");
        Assert.False(sender.IsReachable("c"));

        using var accepted = OpenRaw(server, "a@127.0.0.1:1", Secret, target: server.LocalNode);
        Assert.Equal(server.LocalNode, (await accepted.HeadersAsync()).GetValue("ringcore-node"));
    }

    [Fact]
    public async Task An_oversized_message_ends_that_stream_with_resource_exhausted_and_the_node_keeps_receiving()
    {
        await using var server = await Start("b", options => options.MaxPayloadBytes = GrpcTransportOptions.MinPayloadBytes);
        var received = new RecordingReceiver();
        server.Attach(received);

        using (var raw = OpenRaw(server, "a@127.0.0.1:1", Secret))
        {
            await raw.WriteAsync(Envelope([7]));
            await raw.WriteAsync(Envelope(new byte[256 * 1024]));
            Assert.Equal(StatusCode.ResourceExhausted, await raw.StatusAsync());
        }

        Assert.Equal(1, server.Statistics.OversizedMessages);
        Assert.Equal([7], Assert.Single(received.Received).Payload); // what came before the oversized message was delivered

        // A peer configured with a larger limit: its stream ends, it dials again, and later messages arrive.
        await using var sender = await Start("a", options => options.MaxPayloadBytes = 4 * GrpcTransportOptions.MinPayloadBytes);
        sender.Send(server.LocalNode, new byte[100 * 1024]);
        await Eventually(() => server.Statistics.OversizedMessages == 2, "the second oversized message was refused");
        // A message the sender wrote before it learnt that the stream had ended is lost, as on any
        // network (PeerRpc's callers retry or time out): send until one arrives on the new stream.
        await Eventually(() =>
        {
            sender.Send(server.LocalNode, new byte[] { 8 });
            return received.Received.Any(message => message.Payload is [8]);
        }, "a small message after the refusal arrived");

        var tooLarge = Assert.Throws<ArgumentException>(() => server.Send(sender.LocalNode, new byte[GrpcTransportOptions.MinPayloadBytes + 1]));
        Assert.Contains("RingCore:Grpc:MaxPayloadBytes", tooLarge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_batched_into_one_envelope_stay_under_the_limit_the_peers_share()
    {
        static void Small(GrpcTransportOptions options) => options.MaxPayloadBytes = GrpcTransportOptions.MinPayloadBytes;
        await using var server = await Start("b", Small);
        var received = new RecordingReceiver();
        server.Attach(received);
        await using var sender = await Start("a", Small);

        // Queued before the stream is up, so the pump finds them all at once and batches them.
        for (int i = 0; i < 20; i++)
        {
            sender.Send(server.LocalNode, new byte[30 * 1024]);
        }

        await Eventually(() => received.Count == 20, "every message arrived");
        Assert.Equal(0, server.Statistics.OversizedMessages);
        Assert.Equal(1, sender.Statistics.StreamsOpened);
    }

    [Fact]
    public async Task Bytes_that_are_no_envelope_end_the_stream_with_invalid_argument_and_are_counted()
    {
        await using var server = await Start("b");
        var received = new RecordingReceiver();
        server.Attach(received);

        using (var raw = OpenRaw(server, "a@127.0.0.1:1", Secret))
        {
            await raw.WriteAsync(Envelope([1]));
            await raw.WriteAsync([0xFF, 0xFF, 0xFF, 0xFF, 0xFF]); // field 0x1FFFFFFF with a truncated tag: no protobuf
            Assert.Equal(StatusCode.InvalidArgument, await raw.StatusAsync());
        }

        Assert.Equal(1, server.Statistics.MalformedEnvelopes);
        Assert.Equal([1], Assert.Single(received.Received).Payload);

        await using var sender = await Start("a");
        sender.Send(server.LocalNode, new byte[] { 2 });
        await Eventually(() => received.Count == 2, "a message on a new stream arrived");
    }

    [Fact]
    public async Task A_peer_that_stops_and_starts_again_on_its_address_is_unreachable_then_reachable_and_receives_again()
    {
        await using var sender = await Start("a");
        var first = await Start("b");
        var before = new RecordingReceiver();
        first.Attach(before);
        string peer = first.LocalNode;
        int changes = 0;
        sender.ReachabilityChanged += () => Interlocked.Increment(ref changes);

        sender.Send(peer, new byte[] { 1 });
        await Eventually(() => before.Count == 1 && sender.IsReachable(peer), "the first message arrived");

        await first.DisposeAsync();
        await Eventually(() => !sender.IsReachable(peer), "the sender saw the peer go");
        sender.Send(peer, new byte[] { 2 }); // queued while the peer is down

        await using var second = await GrpcTransport.StartAsync(Options("b", options => options.NodeName = peer));
        var after = new RecordingReceiver();
        second.Attach(after);
        Assert.Equal(peer, second.LocalNode);
        sender.Send(peer, new byte[] { 3 });

        await Eventually(() => after.Count == 2 && sender.IsReachable(peer), "the messages sent after the stop arrived");
        Assert.Equal([[2], [3]], after.Received.Select(message => message.Payload));
        Assert.True(Volatile.Read(ref changes) >= 3, $"ReachabilityChanged fired {changes} times (up, down, up)");
        Assert.True(sender.Statistics.StreamsOpened >= 2);
    }

    [Fact]
    public async Task A_full_queue_to_an_unreachable_peer_drops_messages_at_once_instead_of_blocking_or_growing()
    {
        await using var sender = await Start("a", options =>
        {
            options.SendQueueLimitMessages = 10;
            options.AddressBook["gone"] = "127.0.0.1:1"; // nothing listens on port 1
        });

        for (int i = 0; i < 100; i++)
        {
            sender.Send("gone", Numbered(i));
        }

        Assert.Equal(90, sender.Statistics.Dropped);
        Assert.False(sender.IsReachable("gone"));

        await using var bytesBound = await Start("c", options =>
        {
            options.MaxPayloadBytes = GrpcTransportOptions.MinPayloadBytes;
            options.SendQueueLimitBytes = GrpcTransportOptions.MinPayloadBytes;
            options.AddressBook["gone"] = "127.0.0.1:1";
        });
        for (int i = 0; i < 3; i++)
        {
            bytesBound.Send("gone", new byte[40 * 1024]);
        }

        Assert.Equal(2, bytesBound.Statistics.Dropped);
    }

    [Fact]
    public async Task A_node_that_reads_slowly_holds_a_flooding_peer_back_and_the_peer_drops_rather_than_buffers()
    {
        const int Message = 256 * 1024;
        await using var server = await Start("b");
        var received = new RecordingReceiver();
        server.Attach(received);
        await using var sender = await Start("a", options => options.SendQueueLimitBytes = options.MaxPayloadBytes = 16 * Message);

        sender.Send(server.LocalNode, new byte[] { 0 });
        await Eventually(() => received.Count == 1, "the stream is up");
        received.Open.Reset(); // the node stops reading
        sender.Send(server.LocalNode, new byte[] { 1 });
        await Eventually(() => sender.Statistics.Sent == 2, "the message the node now sits on was sent");

        // 16 MiB against a 4 MiB queue that cannot drain: flow control stops the stream after a
        // few messages, the queue fills, and the rest are dropped at once.
        for (int i = 0; i < 64; i++)
        {
            sender.Send(server.LocalNode, new byte[Message]);
        }

        long dropped = sender.Statistics.Dropped;
        await Task.Delay(500); // time for a stream that is not held back to run ahead
        long sent = sender.Statistics.Sent - 2;
        received.Open.Set();
        await Eventually(() => received.Count == 2 + 64 - dropped, "everything not dropped arrived");
        Assert.True(dropped >= 16, $"{dropped} of 64 messages dropped: the queue buffered past its 16-message limit");
        Assert.True(sent <= 16, $"{sent} messages of 256 KiB left the sender while the node read nothing: the stream is not held back by flow control");
    }

    [Fact]
    public async Task Asking_whether_a_peer_is_reachable_dials_it_and_reachability_changed_says_when_it_is()
    {
        await using var server = await Start("b");
        server.Attach(new RecordingReceiver());
        await using var watcher = await Start("a");
        int changes = 0;
        watcher.ReachabilityChanged += () => Interlocked.Increment(ref changes);

        Assert.True(watcher.IsReachable(watcher.LocalNode));
        Assert.False(watcher.IsReachable("no-address"));
        Assert.False(watcher.IsReachable(server.LocalNode)); // not yet: this starts the dialing
        await Eventually(() => Volatile.Read(ref changes) > 0 && watcher.IsReachable(server.LocalNode), "the peer became reachable without a message sent");
        Assert.Equal(0, watcher.Statistics.Sent);
    }

    [Fact]
    public async Task Sending_to_a_node_with_no_address_is_an_argument_error_naming_the_fix()
    {
        await using var sender = await Start("a");
        var error = Assert.Throws<ArgumentException>(() => sender.Send("plain-name", new byte[] { 1 }));
        Assert.Contains("RingCore:Grpc:AddressBook", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => sender.Send("n1@127.0.0.1:0", new byte[] { 1 }));
        Assert.Throws<ArgumentException>(() => sender.Send("n\u00e9@127.0.0.1:8101", new byte[] { 1 }));
    }

    private static byte[] Numbered(int i)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, i);
        return bytes;
    }
}
