using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RingCore.AntiEntropy;
using RingCore.Node;
using RingCore.Tests.Hosting;

namespace RingCore.Tests.AntiEntropy;

/// <summary>RingCore:AntiEntropy: bad values named by their path, and binding from configuration.</summary>
public sealed class AntiEntropyOptionsTests
{
    public static TheoryData<string, Action<AntiEntropyOptions>> BadSettings => new()
    {
        { "RingCore:AntiEntropy:ExchangeInterval must be positive and at most 49.7 days (the longest a timer waits) (got 00:00:00)", o => o.ExchangeInterval = TimeSpan.Zero },
        { "RingCore:AntiEntropy:MaxConcurrentExchanges must be from 1 to 64 (got 0)", o => o.MaxConcurrentExchanges = 0 },
        { "RingCore:AntiEntropy:TreeRebuildInterval must be from 1 minute to 365 days (got 00:00:10)", o => o.TreeRebuildInterval = TimeSpan.FromSeconds(10) },
        { "RingCore:AntiEntropy:RequestTimeout must be positive and at most 49.7 days (the longest a timer waits) (got -00:00:01)", o => o.RequestTimeout = TimeSpan.FromSeconds(-1) },
        { "RingCore:AntiEntropy:RepairBatchBytes must be from 1024 to 16777216 (16 MiB) (got 10)", o => o.RepairBatchBytes = 10 },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_is_refused_naming_its_path_and_value(string message, Action<AntiEntropyOptions> configure)
    {
        var options = new RingNodeOptions { PartitionCount = 8 };
        configure(options.AntiEntropy);

        Assert.Equal(message + ".", Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public void Missing_anti_entropy_options_are_refused_by_name()
    {
        var options = new RingNodeOptions { PartitionCount = 8, AntiEntropy = null! };
        Assert.Equal("RingCore:AntiEntropy must be set (got null).", Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public async Task The_section_binds_from_configuration_and_a_bad_value_fails_the_host_start_by_path()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["RingCore:AntiEntropy:Enabled"] = "false",
            ["RingCore:AntiEntropy:ExchangeInterval"] = "00:01:00",
            ["RingCore:AntiEntropy:TreeRebuildInterval"] = "1.00:00:00",
        });
        var options = host.Services.GetRequiredService<IOptions<RingNodeOptions>>().Value.AntiEntropy;
        Assert.False(options.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(1), options.ExchangeInterval);
        Assert.Equal(TimeSpan.FromDays(1), options.TreeRebuildInterval);
        Assert.Equal(2, options.MaxConcurrentExchanges); // not named: its default

        using var bad = TestHosts.Build(new Dictionary<string, string?> { ["RingCore:AntiEntropy:MaxConcurrentExchanges"] = "0" });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => bad.StartAsync());
        Assert.StartsWith("RingCore:AntiEntropy:MaxConcurrentExchanges must be from 1 to 64 (got 0)", Assert.Single(error.Failures), StringComparison.Ordinal);
    }
}
