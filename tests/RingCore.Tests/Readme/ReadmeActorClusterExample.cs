using RingCore.Actors;
using RingCore.TestKit;

namespace RingCore.Tests.Readme;

// The replicated-actors example of README.md, checked and run by ReadmeExampleTests like the
// embedding example.
internal static class ReadmeActorClusterExample
{
    public sealed record Cart(string[] Items);

    public sealed record AddItem(string Item);

    public sealed record GetItems;

    public static async Task<(string[] BeforeCrash, string[] AfterCrash)> RunAsync()
    {
        // README example begin
        await using var cluster = new TestCluster(members: 5, ringSize: 64, nVal: 3, seed: 42, configureActors: actors =>
            actors.Add<Cart>("cart", type => type
                .InitialState(_ => new Cart([]))
                .On<AddItem>((cart, add, _) => new Cart([.. cart.Items, add.Item]))
                .On<GetItems, string[]>((cart, _, _) => (cart, cart.Items))
                .Merge(versions => new Cart([.. versions.SelectMany(v => v.Items).Distinct()])) // siblings from a partition
                .WithPlacement(ActorPlacement.Available)));

        var cart = cluster.Actors("n1").GetActor("cart", "customer-42");      // from any node: routed to its host
        await cart.Ask<object?>(new AddItem("apple"));                      // stored on W = 2 of N = 3 replicas first
        await cart.Ask<object?>(new AddItem("pear"));
        string[] before = await cart.Ask<string[]>(new GetItems());

        var host = cluster.Actors("n1").HostOf(cart);                       // the first primary of its key
        cluster.Crash(host);
        var survivor = cluster.Actors(cluster.Members.First(m => m != host));
        string[] after = await survivor.GetActor("cart", "customer-42")      // activates on the next replica,
            .Ask<string[]>(new GetItems());                                   // its state read from a quorum
        // README example end

        return (before, after);
    }
}
