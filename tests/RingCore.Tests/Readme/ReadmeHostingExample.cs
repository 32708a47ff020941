using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RingCore.Actors;
using RingCore.Hosting;
using RingCore.Node;

namespace RingCore.Tests.Readme;

// The hosting example of README.md, checked and run by ReadmeExampleTests like the embedding
// example: the node runs inside a generic host.
internal static class ReadmeHostingExample
{
    // README example begin
    public sealed record PageViews(long Count);

    public sealed record View;
    // README example end

    public static async Task<(long Views, int Partitions)> RunAsync(string[] args)
    {
        // README example begin
        var builder = Host.CreateApplicationBuilder(args);   // RingCore:* from appsettings.json, environment, command line
        builder.Services.AddRingCore()
            .AddActors(actors => actors.Add<PageViews>("page", type => type
                .InitialState(_ => new PageViews(0))
                .On<View, long>((views, _, _) => (new PageViews(views.Count + 1), views.Count + 1))
                .WithDurability(ActorDurability.WriteThrough)));

        using IHost host = builder.Build();
        await host.StartAsync();                               // starts the node; a bad setting fails here, by name
        var node = host.Services.GetRequiredService<RingNode>();
        long views = await node.GetActor("page", "/index.html").Ask<long>(new View());
        await host.StopAsync();                                // actors passivate, then the stores close
        // README example end
        return (views, node.Ring.PartitionCount);
    }
}
