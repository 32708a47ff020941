using Google.Protobuf.WellKnownTypes;
using RingCore.Actors;
using RingCore.Storage;
using RingCore.Node;

namespace RingCore.Tests.Actors;

public sealed class StateSerializerTests
{
    private sealed record Cart(string Owner, List<string> Items);

    [Fact]
    public void Json_round_trips_a_plain_record()
    {
        var serializer = new JsonStateSerializer<Cart>();
        var cart = new Cart("ada", ["apple", "pear"]);
        var back = serializer.Deserialize(serializer.Serialize(cart));
        Assert.Equal("ada", back.Owner);
        Assert.Equal(["apple", "pear"], back.Items);
    }

    [Fact]
    public void Json_rejects_bytes_that_are_not_the_state()
    {
        var serializer = new JsonStateSerializer<Cart>();
        Assert.ThrowsAny<Exception>(() => serializer.Deserialize("{oops"u8));
        Assert.Throws<InvalidDataException>(() => serializer.Deserialize("null"u8));
    }

    [Fact]
    public void Protobuf_round_trips_a_message()
    {
        var serializer = new ProtobufStateSerializer<Int64Value>();
        Assert.Equal(42, serializer.Deserialize(serializer.Serialize(new Int64Value { Value = 42 })).Value);
    }

    [Fact]
    public async Task An_actor_with_protobuf_state_survives_a_restart()
    {
        var storage = new MemoryVNodeStoreProvider();
        void Define(ActorRegistry actors) => actors.Add<Int64Value>("meter", type => type
            .InitialState(_ => new Int64Value())
            .On<long>((state, amount, _) => new Int64Value { Value = state.Value + amount })
            .On<string, long>((state, _, _) => (state, state.Value))
            .WithSerializer(new ProtobufStateSerializer<Int64Value>()));

        await using (var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 }, Define, new RingNodeServices { Storage = storage }))
        {
            var meter = node.GetActor("meter", "m1");
            meter.Tell(5L);
            meter.Tell(6L);
            Assert.Equal(11, await meter.Ask<long>("read"));
        }

        await using var restarted = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 }, Define, new RingNodeServices { Storage = storage });
        Assert.Equal(11, await restarted.GetActor("meter", "m1").Ask<long>("read"));
    }
}
