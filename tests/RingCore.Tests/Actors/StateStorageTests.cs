using System.Text.Json;
using System.Text.Json.Serialization;
using RingCore.Actors;
using RingCore.Node;
using RingCore.Storage;

namespace RingCore.Tests.Actors;

/// <summary>
/// What a state is stored as (issue 12, points 2 and 6): a state changed in place is stored like
/// a new one, public fields are stored, a type whose data the JSON serializer would drop is
/// refused when it is registered, and a null or unserializable state fails its message and
/// leaves the stored state as it was.
/// </summary>
public sealed class StateStorageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public sealed class MutableCart
    {
        public List<string> Items { get; set; } = [];
    }

    public sealed class FieldCounter
    {
        public int Count;
        public List<string> Log = [];
    }

    public sealed class HiddenData
    {
        private int _count;

        public int Doubled => _count * 2;

        public void Add() => _count++;
    }

    public sealed class GetOnlyList
    {
        public List<string> Items { get; } = [];
    }

    public sealed class Ignored
    {
        public int Count { get; set; }

        [JsonIgnore]
        public string Cache { get; set; } = "";
    }

    public sealed class Node
    {
        public string Name { get; set; } = "";

        public Node? Next { get; set; }
    }

    public sealed record Add(string Item);

    public sealed record Items;

    private static Task<RingNode> Start(IVNodeStoreProvider storage, Action<ActorRegistry> actors) =>
        RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 }, actors, new RingNodeServices { Storage = storage });

    [Theory]
    [InlineData(ActorDurability.WriteThrough)]
    [InlineData(ActorDurability.WriteBehind)]
    public async Task A_state_mutated_in_place_and_returned_is_stored_and_survives_a_restart(ActorDurability durability)
    {
        var storage = new MemoryVNodeStoreProvider();
        void Define(ActorRegistry actors) => actors.Add<MutableCart>("cart", type => type
            .InitialState(_ => new MutableCart())
            .On<Add, int>((cart, message, _) =>
            {
                cart.Items.Add(message.Item); // the same object, changed in place
                return (cart, cart.Items.Count);
            })
            .On<Items, string[]>((cart, _, _) => (cart, [.. cart.Items]))
            .WithDurability(durability));

        await using (var node = await Start(storage, Define))
        {
            var cart = node.GetActor("cart", "c1");
            for (int i = 1; i <= 5; i++)
            {
                Assert.Equal(i, await cart.Ask<int>(new Add($"item-{i}"), Wait));
            }
        }

        await using var restarted = await Start(storage, Define);
        Assert.Equal(["item-1", "item-2", "item-3", "item-4", "item-5"], await restarted.GetActor("cart", "c1").Ask<string[]>(new Items(), Wait));
    }

    [Fact]
    public async Task A_read_that_changes_nothing_writes_nothing()
    {
        var storage = new ScriptedStoreProvider();
        await using var node = await Start(storage, actors => actors.Add<MutableCart>("cart", type => type
            .InitialState(_ => new MutableCart())
            .On<Add, int>((cart, message, _) => (new MutableCart { Items = [.. cart.Items, message.Item] }, cart.Items.Count + 1))
            .On<Items, string[]>((cart, _, _) => (cart, [.. cart.Items]))));
        var cart = node.GetActor("cart", "c1");
        Assert.Empty(await cart.Ask<string[]>(new Items(), Wait));
        Assert.Equal(0, storage.PutsTo("cart")); // a fresh actor read: its initial state is not written
        await cart.Ask<int>(new Add("a"), Wait);
        Assert.Equal(1, storage.PutsTo("cart"));
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(["a"], await cart.Ask<string[]>(new Items(), Wait));
        }

        Assert.Equal(1, storage.PutsTo("cart"));
    }

    [Fact]
    public async Task Public_fields_of_a_state_are_stored()
    {
        var storage = new MemoryVNodeStoreProvider();
        void Define(ActorRegistry actors) => actors.Add<FieldCounter>("fields", type => type
            .InitialState(_ => new FieldCounter())
            .On<Add, int>((state, message, _) => (new FieldCounter { Count = state.Count + 1, Log = [.. state.Log, message.Item] }, state.Count + 1))
            .On<Items, string[]>((state, _, _) => (state, [.. state.Log, state.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)])));

        await using (var node = await Start(storage, Define))
        {
            await node.GetActor("fields", "f").Ask<int>(new Add("x"), Wait);
            await node.GetActor("fields", "f").Ask<int>(new Add("y"), Wait);
        }

        await using var restarted = await Start(storage, Define);
        Assert.Equal(["x", "y", "2"], await restarted.GetActor("fields", "f").Ask<string[]>(new Items(), Wait));
    }

    [Fact]
    public async Task A_state_type_whose_data_the_JSON_serializer_would_drop_is_refused_at_registration_naming_the_member()
    {
        var hidden = await Assert.ThrowsAsync<InvalidOperationException>(() => Start(new MemoryVNodeStoreProvider(), actors => actors.Add<HiddenData>("hidden", type => type
            .InitialState(_ => new HiddenData())
            .On<Add>((state, _, _) => state))));
        Assert.Contains("'hidden'", hidden.Message, StringComparison.Ordinal);
        Assert.Contains("member '_count' of HiddenData", hidden.Message, StringComparison.Ordinal);
        Assert.Contains("WithSerializer", hidden.Message, StringComparison.Ordinal);

        var getOnly = await Assert.ThrowsAsync<InvalidOperationException>(() => Start(new MemoryVNodeStoreProvider(), actors => actors.Add<GetOnlyList>("list", type => type
            .InitialState(_ => new GetOnlyList())
            .On<Add>((state, _, _) => state))));
        Assert.Contains("member 'Items' of GetOnlyList is written but cannot be read back", getOnly.Message, StringComparison.Ordinal);

        // Nested: the member's own type is checked too.
        var nested = await Assert.ThrowsAsync<InvalidOperationException>(() => Start(new MemoryVNodeStoreProvider(), actors => actors.Add<Dictionary<string, HiddenData>>("nested", type => type
            .InitialState(_ => [])
            .On<Add>((state, _, _) => state))));
        Assert.Contains("member '_count' of HiddenData", nested.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_ignored_members_recursive_types_and_a_serializer_of_ones_own_are_accepted()
    {
        await using var node = await Start(new MemoryVNodeStoreProvider(), actors =>
        {
            actors.Add<CounterActor.State>("record", type => type.InitialState(_ => new CounterActor.State(0, "")).On<Add>((state, _, _) => state));
            actors.Add<Ignored>("ignored", type => type.InitialState(_ => new Ignored()).On<Add>((state, _, _) => state));
            actors.Add<Node>("linked", type => type.InitialState(_ => new Node()).On<Add>((state, _, _) => state));
            actors.Add<HiddenData>("custom", type => type.InitialState(_ => new HiddenData()).On<Add>((state, _, _) => state)
                .WithSerializer(new OpaqueSerializer()));
        });
        Assert.NotNull(node);
    }

    [Fact]
    public async Task A_handler_that_returns_a_null_state_fails_its_message_and_the_actor_keeps_its_state()
    {
        var storage = new MemoryVNodeStoreProvider();
        void Define(ActorRegistry actors) => actors.Add<MutableCart>("cart", type => type
            .InitialState(_ => new MutableCart())
            .On<Add, int>((cart, message, _) => message.Item == "null" ? (null!, -1) : (new MutableCart { Items = [.. cart.Items, message.Item] }, cart.Items.Count + 1))
            .On<Items, string[]>((cart, _, _) => (cart, [.. cart.Items])));

        await using (var node = await Start(storage, Define))
        {
            var cart = node.GetActor("cart", "c");
            await cart.Ask<int>(new Add("a"), Wait);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cart.Ask<int>(new Add("null"), Wait).AsTask());
            Assert.Contains("returned a null state", error.Message, StringComparison.Ordinal);
            Assert.Equal(2, await cart.Ask<int>(new Add("b"), Wait));
        }

        await using var restarted = await Start(storage, Define);
        Assert.Equal(["a", "b"], await restarted.GetActor("cart", "c").Ask<string[]>(new Items(), Wait));
    }

    [Theory]
    [InlineData(ActorDurability.WriteThrough)]
    [InlineData(ActorDurability.WriteBehind)]
    public async Task A_state_that_cannot_be_serialized_fails_the_Ask_with_the_serializer_error_and_keeps_the_stored_state(ActorDurability durability)
    {
        var storage = new MemoryVNodeStoreProvider();
        void Define(ActorRegistry actors) => actors.Add<Node>("chain", type => type
            .InitialState(_ => new Node { Name = "start" })
            .On<Add, string>((node, message, _) =>
            {
                var next = new Node { Name = message.Item };
                if (message.Item == "cycle")
                {
                    next.Next = next; // a cycle: System.Text.Json refuses it
                }

                return (next, next.Name);
            })
            .On<Items, string>((node, _, _) => (node, node.Name))
            .WithDurability(durability));

        await using (var node = await Start(storage, Define))
        {
            var chain = node.GetActor("chain", "c");
            Assert.Equal("first", await chain.Ask<string>(new Add("first"), Wait));
            if (durability == ActorDurability.WriteThrough)
            {
                await Assert.ThrowsAsync<JsonException>(() => chain.Ask<string>(new Add("cycle"), Wait).AsTask());
                Assert.Equal("first", await chain.Ask<string>(new Items(), Wait));
            }
            else
            {
                Assert.Equal("cycle", await chain.Ask<string>(new Add("cycle"), Wait)); // in memory only, stored later
                Assert.Equal("after", await chain.Ask<string>(new Add("after"), Wait)); // replaces it before the flush
            }
        }

        await using var restarted = await Start(storage, Define);
        Assert.Equal(durability == ActorDurability.WriteThrough ? "first" : "after", await restarted.GetActor("chain", "c").Ask<string>(new Items(), Wait));
    }

    private sealed class OpaqueSerializer : IStateSerializer<HiddenData>
    {
        public byte[] Serialize(HiddenData state) => [(byte)state.Doubled];

        public HiddenData Deserialize(ReadOnlySpan<byte> bytes) => new();
    }
}
