using RingCore.Actors;
using RingCore.Node;

namespace RingCore.Tests.Readme;

// The embedding example of README.md. ReadmeExampleTests checks that the README shows exactly
// the lines between the markers, and runs them, so the README cannot drift from code that compiles.
// README example begin
public sealed record Cart(List<string> Items);

public sealed record AddItem(string Item);

public sealed record GetItems;
// README example end

internal static class ReadmeExample
{
    public static async Task<IReadOnlyList<string>> RunAsync()
    {
        // README example begin
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 64 }, actors =>
            actors.Add<Cart>("cart", type => type
                .InitialState(_ => new Cart([]))
                .On<AddItem>((cart, add, _) => cart with { Items = [.. cart.Items, add.Item] })
                .On<GetItems, IReadOnlyList<string>>((cart, _, _) => (cart, cart.Items))
                .WithDurability(ActorDurability.WriteThrough)
                .PassivateAfter(TimeSpan.FromMinutes(10))));

        var cart = node.GetActor("cart", "customer-42");
        cart.Tell(new AddItem("apple"));
        cart.Tell(new AddItem("pear"));
        IReadOnlyList<string> items = await cart.Ask<IReadOnlyList<string>>(new GetItems());
        // README example end
        return items;
    }
}
