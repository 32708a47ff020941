using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using RingCore.Claim;
using RingCore.Membership;
using RingCore.Node;
using RingCore.TestKit.Simulation;
using RingCore.Tests.Hosting;
using RingCore.Transport;

namespace RingCore.Tests.Membership;

/// <summary>
/// RingCore:FailureDetection: bad values named by their path, binding from configuration, the
/// mode a node runs, and what the detector tells an operator (log events 2100 and 2101).
/// </summary>
public sealed class FailureDetectionOptionsTests
{
    public static TheoryData<string, Action<FailureDetectionOptions>> BadSettings => new()
    {
        { "RingCore:FailureDetection:Mode must be Heartbeats or TransportReachability (got 7)", o => o.Mode = (FailureDetectionMode)7 },
        { "RingCore:FailureDetection:HeartbeatInterval must be positive and at most 1 hour (got 00:00:00)", o => o.HeartbeatInterval = TimeSpan.Zero },
        { "RingCore:FailureDetection:HeartbeatInterval must be positive and at most 1 hour (got 02:00:00)", o => o.HeartbeatInterval = TimeSpan.FromHours(2) },
        { "RingCore:FailureDetection:Threshold must be a positive number (got 0)", o => o.Threshold = 0 },
        { "RingCore:FailureDetection:Threshold must be a positive number (got NaN)", o => o.Threshold = double.NaN },
        { "RingCore:FailureDetection:MaxSampleSize must be from 2 to 10000 (got 1)", o => o.MaxSampleSize = 1 },
        { "RingCore:FailureDetection:MaxSampleSize must be from 2 to 10000 (got 10001)", o => o.MaxSampleSize = 10_001 },
        { "RingCore:FailureDetection:MinStdDeviation must be from 1 ms to 1 hour (got 00:00:00)", o => o.MinStdDeviation = TimeSpan.Zero },
        { "RingCore:FailureDetection:AcceptableHeartbeatPause must be from 0 to 1 hour (got -00:00:01)", o => o.AcceptableHeartbeatPause = TimeSpan.FromSeconds(-1) },
        { "RingCore:FailureDetection:FirstHeartbeatEstimate must be from 1 ms to 1 hour (got 00:00:00)", o => o.FirstHeartbeatEstimate = TimeSpan.Zero },
        { "RingCore:FailureDetection:CheckInterval must be positive and at most 1 hour (got -00:00:01)", o => o.CheckInterval = TimeSpan.FromSeconds(-1) },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_is_refused_naming_its_path_and_value(string message, Action<FailureDetectionOptions> configure)
    {
        var options = new RingNodeOptions { PartitionCount = 8 };
        configure(options.FailureDetection);

        Assert.Equal(message + ".", Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public void Missing_failure_detection_options_are_refused_by_name()
    {
        var options = new RingNodeOptions { PartitionCount = 8, FailureDetection = null! };
        Assert.Equal("RingCore:FailureDetection must be set (got null).", Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public async Task The_section_binds_from_configuration_and_a_bad_value_fails_the_host_start_by_path()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["RingCore:FailureDetection:Mode"] = "TransportReachability",
            ["RingCore:FailureDetection:HeartbeatInterval"] = "00:00:00.250",
            ["RingCore:FailureDetection:AcceptableHeartbeatPause"] = "00:00:03",
            ["RingCore:FailureDetection:Threshold"] = "10.5",
        });
        var options = host.Services.GetRequiredService<IOptions<RingNodeOptions>>().Value.FailureDetection;
        Assert.Equal(FailureDetectionMode.TransportReachability, options.Mode);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), options.AcceptableHeartbeatPause);
        Assert.Equal(10.5, options.Threshold);
        Assert.Equal(200, options.MaxSampleSize); // not named: its default

        using var bad = TestHosts.Build(new Dictionary<string, string?> { ["RingCore:FailureDetection:MaxSampleSize"] = "0" });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => bad.StartAsync());
        Assert.StartsWith("RingCore:FailureDetection:MaxSampleSize must be from 2 to 10000 (got 0)", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_runs_the_heartbeats_by_default_and_the_transports_view_when_asked()
    {
        var network = new SimulatedNetwork(1);
        var ring = RingClaim.Initial(8, ["n1", "n2"]).Ring;
        await using var heartbeats = await RingNode.StartAsync(new RingNodeOptions { NodeName = "n1", PartitionCount = 8 }, ring, network.Connect("n1"));
        await using var exact = await RingNode.StartAsync(
            new RingNodeOptions { NodeName = "n2", PartitionCount = 8, FailureDetection = { Mode = FailureDetectionMode.TransportReachability } }, ring, network.Connect("n2"));

        Assert.IsType<HeartbeatFailureDetector>(heartbeats.Watcher.Detector);
        Assert.IsType<TransportFailureDetector>(exact.Watcher.Detector);
        network.Crash("n1");
        Assert.False(exact.Routing.Current.IsUp("n1")); // the transport's view: at once
    }

    [Fact]
    public async Task Marking_a_peer_down_and_up_is_logged_with_its_phi_and_counted()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(logs)));
        var time = new VirtualTimeProvider();
        var scheduler = new ManualScheduler();
        var network = new SimulatedNetwork(1, time, scheduler);
        var ring = RingClaim.Initial(8, ["n1", "n2"]).Ring;
        RingNode Start(string name) => RingNode.StartAsync(new RingNodeOptions { NodeName = name, PartitionCount = 8 }, ring, network.Connect(name),
            services: new RingNodeServices { Time = time, Scheduler = scheduler, LoggerFactory = loggerFactory }).GetAwaiter().GetResult();
        void Run(TimeSpan span)
        {
            for (var end = time.Elapsed + span; time.Elapsed < end;)
            {
                time.Advance(TimeSpan.FromMilliseconds(10));
                scheduler.RunAll();
            }
        }

        var n1 = Start("n1");
        var n2 = Start("n2");
        using var downs = new MetricCollector<long>(n1.Metrics.Meter, "ringcore.membership.node_down");
        using var ups = new MetricCollector<long>(n1.Metrics.Meter, "ringcore.membership.node_up");
        Run(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id is 2100 or 2101);

        network.Crash("n2");
        await n2.DisposeAsync();
        Run(TimeSpan.FromSeconds(3));
        var down = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 2100);
        Assert.Equal(LogLevel.Warning, down.Level);
        Assert.StartsWith("Node n1 marked n2 down: phi ", down.Message, StringComparison.Ordinal);
        Assert.True(Regex.IsMatch(down.Message, @"^Node n1 marked n2 down: phi \d+\.\d reached the threshold, no heartbeat for 1[78]\d\d ms \(mean interval 2[45]\d ms\)$"), down.Message);
        Assert.False(n1.Routing.Current.IsUp("n2"));
        Assert.Equal("n2", Assert.Single(downs.GetMeasurementSnapshot()).Tags["ringcore.peer"]);

        var back = Start("n2");
        Run(TimeSpan.FromMilliseconds(100));
        var up = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 2101);
        Assert.Equal(LogLevel.Information, up.Level);
        Assert.StartsWith("Node n1 marked n2 up: a heartbeat arrived after ", up.Message, StringComparison.Ordinal);
        Assert.True(n1.Routing.Current.IsUp("n2"));
        Assert.Equal("n2", Assert.Single(ups.GetMeasurementSnapshot()).Tags["ringcore.peer"]);

        await back.DisposeAsync();
        await n1.DisposeAsync();
    }
}
