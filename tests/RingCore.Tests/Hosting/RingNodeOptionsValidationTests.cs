using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RingCore.Hosting;

namespace RingCore.Tests.Hosting;

public sealed class RingNodeOptionsValidationTests
{
    [Fact]
    public async Task Bad_values_fail_the_host_start_with_every_problem_each_naming_its_setting()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["RingCore:PartitionCount"] = "12",
            ["RingCore:Actors:TurnMessageLimit"] = "0",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Collection(error.Failures,
            failure => Assert.StartsWith("RingCore:PartitionCount must be a power of two from 8 to 65536 (got 12)", failure, StringComparison.Ordinal),
            failure => Assert.StartsWith("RingCore:Actors:TurnMessageLimit must be from 1 to 1000000 (got 0)", failure, StringComparison.Ordinal));
        Assert.Contains("RingCore:PartitionCount", error.Message, StringComparison.Ordinal);
        Assert.Contains("RingCore:Actors:TurnMessageLimit", error.Message, StringComparison.Ordinal);

        // ValidateOnStart: the options failed before any hosted service ran, so the node's start was never tried.
        var accessor = host.Services.GetRequiredService<IRingNodeAccessor>();
        var notStarted = Assert.Throws<InvalidOperationException>(() => accessor.Node);
        Assert.Contains("has not started yet", notStarted.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_retention_shorter_than_the_ask_timeout_fails_the_start_naming_both_settings()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["RingCore:Actors:DefaultAskTimeout"] = "00:00:30",
            ["RingCore:Peers:RequestRetention"] = "00:00:10",
            ["RingCore:Peers:SweepInterval"] = "00:00:05",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        string failure = Assert.Single(error.Failures);
        Assert.StartsWith("RingCore:Peers:RequestRetention (00:00:10) must be at least RingCore:Actors:DefaultAskTimeout (00:00:30)", failure,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_value_set_in_code_fails_the_start_like_a_configured_one()
    {
        using var host = TestHosts.Build(ringCore: ring => ring.Configure(options => options.Peers.DuplicateWindowCapacity = 0));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("RingCore:Peers:DuplicateWindowCapacity must be at least 1 (got 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_that_does_not_parse_fails_the_start_naming_its_path()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["RingCore:Actors:DefaultAskTimeout"] = "thirty seconds" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("RingCore:Actors:DefaultAskTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_options_pass_and_the_node_starts()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["RingCore:PartitionCount"] = "16",
            ["RingCore:Actors:TurnMessageLimit"] = "1",
            ["RingCore:Peers:RequestRetention"] = "00:00:30",
        });

        await host.StartAsync();

        Assert.Equal(16, host.Services.GetRequiredService<IRingNodeAccessor>().Node.Ring.PartitionCount);
        await host.StopAsync();
    }
}
