using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RingCore.Actors;
using RingCore.Hosting;
using RingCore.Node;
using RingCore.Replication;

namespace RingCore.Tests.Hosting;

public sealed class RingNodeOptionsBindingTests
{
    private static readonly Dictionary<string, string?> Configured = new()
    {
        ["RingCore:NodeName"] = "node-a",
        ["RingCore:PartitionCount"] = "128",
        ["RingCore:TargetN"] = "3",
        ["RingCore:Actors:TurnMessageLimit"] = "16",
        ["RingCore:Actors:DefaultAskTimeout"] = "00:00:05",
        ["RingCore:Actors:WriteBehindInterval"] = "00:00:00.250",
        ["RingCore:Peers:RequestRetention"] = "00:10:00",
        ["RingCore:Peers:SweepInterval"] = "00:00:15",
        ["RingCore:Peers:DuplicateWindowCapacity"] = "1024",
        ["RingCore:Replication:DefaultBucket:N"] = "1",
        ["RingCore:Replication:DefaultBucket:R"] = "1",
        ["RingCore:Replication:DefaultBucket:W"] = "1",
        ["RingCore:Replication:DefaultBucket:LastWriteWins"] = "true",
        ["RingCore:Replication:DefaultBucket:TombstoneReapDelay"] = "00:01:00",
        ["Elsewhere:PartitionCount"] = "256",
    };

    [Fact]
    public void The_RingCore_section_binds_the_node_options_and_their_nested_sections_with_time_spans()
    {
        using var host = TestHosts.Build(Configured);
        var options = host.Services.GetRequiredService<IOptions<RingNodeOptions>>().Value;

        Assert.Equal("node-a", options.NodeName);
        Assert.Equal(128, options.PartitionCount);
        Assert.Equal(3, options.TargetN);
        Assert.Equal(16, options.Actors.TurnMessageLimit);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Actors.DefaultAskTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Actors.WriteBehindInterval);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Peers.RequestRetention);
        Assert.Equal(TimeSpan.FromSeconds(15), options.Peers.SweepInterval);
        Assert.Equal(1024, options.Peers.DuplicateWindowCapacity);
        var bucket = Assert.IsType<BucketProperties>(options.Replication.DefaultBucket);
        Assert.Equal((1, 1, 1, true, TimeSpan.FromMinutes(1)), (bucket.N, bucket.R, bucket.W, bucket.LastWriteWins, bucket.TombstoneReapDelay));

        // What the section does not name keeps its default.
        Assert.Equal(TimeSpan.FromSeconds(30), options.Actors.PassivationSweepInterval);
        Assert.Equal(64 * 1024, options.Peers.ReplayedReplyLimitBytes);
    }

    [Fact]
    public async Task The_started_node_runs_with_the_bound_options()
    {
        using var host = TestHosts.Build(Configured);
        await host.StartAsync();
        var node = host.Services.GetRequiredService<RingNode>();

        Assert.Equal("node-a", node.Name);
        Assert.Equal(128, node.Ring.PartitionCount);
        Assert.Equal(TimeSpan.FromSeconds(5), node.DefaultAskTimeout);
        Assert.True(node.Defaults.LastWriteWins);
        await host.StopAsync();
    }

    [Fact]
    public void Configure_edits_the_options_after_configuration_so_it_wins()
    {
        using var host = TestHosts.Build(Configured, ring => ring.Configure(options =>
        {
            options.PartitionCount = 256;
            options.Actors.TurnMessageLimit = 8;
        }));
        var options = host.Services.GetRequiredService<IOptions<RingNodeOptions>>().Value;

        Assert.Equal(256, options.PartitionCount);
        Assert.Equal(8, options.Actors.TurnMessageLimit);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Actors.DefaultAskTimeout); // still from configuration
    }

    [Fact]
    public void Without_a_configuration_in_the_container_the_options_keep_their_defaults()
    {
        var services = new ServiceCollection();
        services.AddRingCore();
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<RingNodeOptions>>().Value;

        Assert.Equal("local", options.NodeName);
        Assert.Equal(64, options.PartitionCount);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Actors.DefaultAskTimeout);
    }

    [Fact]
    public async Task An_IHostBuilder_host_binds_its_configuration_and_runs_the_node()
    {
        using var host = new HostBuilder()
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(Configured))
            .AddRingCore(ring => ring.AddActors(actors => TestHosts.DefineCounter(actors, "counter", ActorDurability.WriteThrough)))
            .Build();
        await host.StartAsync();
        var node = host.Services.GetRequiredService<IRingNodeAccessor>().Node;

        Assert.Equal(128, node.Ring.PartitionCount);
        Assert.Equal(5, await node.GetActor("counter", "k").Ask<long>(new TestHosts.Add(5), TestHosts.Wait));
        await host.StopAsync();
    }

    [Fact]
    public void Calling_AddRingCore_twice_registers_each_service_once()
    {
        var services = new ServiceCollection();
        services.AddRingCore();
        int once = services.Count;
        services.AddRingCore();

        Assert.Equal(once, services.Count);
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<RingNodeOptions>));
    }
}
