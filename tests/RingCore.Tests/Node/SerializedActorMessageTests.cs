using System.Text;
using RingCore.Actors;
using RingCore.Node;
using RingCore.Tests.Actors;
using RingCore.Tests.Replication;
using RingCore.TestKit;

namespace RingCore.Tests.Node;

/// <summary>Actor messages given as bytes (RingNode.AskSerializedAsync, TellSerialized): what a node's client service sends for callers in any language.</summary>
public sealed class SerializedActorMessageTests
{
    private static readonly string IncrementType = typeof(CounterActor.Increment).FullName!;
    private static readonly string GetMessage = typeof(CounterActor.Get).FullName!;

    [Fact]
    public async Task A_message_as_json_bytes_reaches_the_actor_and_its_reply_comes_back_as_json_on_the_node_that_hosts_it_and_on_others()
    {
        await using var cluster = new TestCluster(3, ringSize: 16, configureActors: actors => CounterActor.Define(actors, "counter", ActorDurability.WriteThrough));
        foreach (var (node, i) in cluster.Nodes.Select((name, i) => (cluster.Node(name), i)))
        {
            node.TellSerialized("counter", "k"u8.ToArray(), IncrementType, Encoding.UTF8.GetBytes($"{{\"By\":{i + 1}}}"));
        }

        // A tell is at most once and unordered against another node's ask (the transport promises
        // no order), so the tells from n2 and n3 may still be on their way: wait until all three count.
        await ReplicationTestHelpers.Eventually(
            async () => Encoding.UTF8.GetString((await cluster.Node("n1").AskSerializedAsync("counter", "k"u8.ToArray(), GetMessage, "{}"u8.ToArray())).Payload) == "6",
            "the three tells are counted");
        foreach (var name in cluster.Nodes)
        {
            var reply = await cluster.Node(name).AskSerializedAsync("counter", "k"u8.ToArray(), GetMessage, "{}"u8.ToArray());
            Assert.Equal("6", Encoding.UTF8.GetString(reply.Payload));
            Assert.Equal(typeof(long).FullName, reply.ReplyType);
        }

        var none = await cluster.Node("n1").AskSerializedAsync("counter", "k"u8.ToArray(), IncrementType, "{\"By\":4}"u8.ToArray());
        Assert.Empty(none.Payload);
        Assert.Equal(string.Empty, none.ReplyType);
        Assert.Equal(10, await cluster.Node("n2").GetActor("counter", "k").Ask<long>(new CounterActor.Get()));
    }

    [Fact]
    public async Task An_unknown_type_an_unknown_message_or_an_unreadable_payload_is_an_argument_error_and_changes_nothing()
    {
        await using var cluster = new TestCluster(1, ringSize: 16, configureActors: actors => CounterActor.Define(actors, "counter", ActorDurability.WriteThrough));
        var node = cluster.Node("n1");
        var unknownType = await Assert.ThrowsAsync<ArgumentException>(() => node.AskSerializedAsync("nope", "k"u8.ToArray(), GetMessage, "{}"u8.ToArray()));
        Assert.Contains("'nope'", unknownType.Message, StringComparison.Ordinal);
        var unknownMessage = await Assert.ThrowsAsync<ArgumentException>(() => node.AskSerializedAsync("counter", "k"u8.ToArray(), "System.String", "{}"u8.ToArray()));
        Assert.Contains("System.String", unknownMessage.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => node.TellSerialized("counter", "k"u8.ToArray(), IncrementType, "{not json"u8.ToArray()));
        Assert.Throws<ArgumentException>(() => node.TellSerialized("counter", "k"u8.ToArray(), IncrementType, "null"u8.ToArray()));
        Assert.Throws<ArgumentException>(() => node.TellSerialized("counter", ReadOnlyMemory<byte>.Empty, IncrementType, "{}"u8.ToArray()));
        Assert.Equal(0, await node.GetActor("counter", "k").Ask<long>(new CounterActor.Get()));
    }

    [Fact]
    public async Task A_handler_that_throws_fails_the_ask_with_its_message()
    {
        await using var cluster = new TestCluster(1, ringSize: 16, configureActors: actors => CounterActor.Define(actors, "counter", ActorDurability.WriteThrough));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => cluster.Node("n1").AskSerializedAsync(
            "counter", "k"u8.ToArray(), typeof(CounterActor.Fail).FullName!, "{\"Why\":\"boom\"}"u8.ToArray()));
        Assert.Contains("boom", error.Message, StringComparison.Ordinal);
    }
}
