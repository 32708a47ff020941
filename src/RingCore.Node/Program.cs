using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using RingCore.Daemon;

// ringd: one RingCore node in a process (docs/ringd.md). Exit codes: 0 stopped (SIGTERM, Ctrl+C),
// 1 failed to start or failed while running, 2 a bad setting (one line on stderr naming it).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args });

// appsettings.json next to the executable, below the working directory's (which the host reads already).
builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
{
    FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
    Path = "appsettings.json",
    Optional = true,
});
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--name"] = "RingCore:NodeName",
    ["--listen"] = "RingCore:ListenAddress",
    ["--seed"] = "RingCore:Seed",
    ["--data"] = "RingCore:DataDirectory",
    ["--storage"] = "RingCore:Storage",
    ["--ring-size"] = "RingCore:PartitionCount",
    ["--n-val"] = "RingCore:NVal",
    ["--secret"] = "RingCore:ClusterSecret",
    ["--log-file"] = "RingCore:LogFile",
});

RingdOptions options;
try
{
    options = RingdOptions.Load(builder.Configuration);
}
catch (RingdConfigurationException error)
{
    Console.Error.WriteLine($"ringd: {error.Message}");
    return 2;
}

RingdTelemetry.AddLogging(builder.Services, options);
RingdTelemetry.AddMetrics(builder.Services, options);

// A stop may wait for a leaving node's handoff, then for the calls in flight, then for its actors, each up to
// RingCore:ShutdownTimeout: the host's own limit must leave room for all three.
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.Node.ShutdownTimeout == Timeout.InfiniteTimeSpan
    ? Timeout.InfiniteTimeSpan
    : 3 * options.Node.ShutdownTimeout + TimeSpan.FromSeconds(5));
builder.Services.AddSingleton(options);
builder.Services.AddHostedService<RingdService>();

try
{
    using var host = builder.Build();
    await host.RunAsync();
    return 0;
}
catch (Exception error)
{
    // The host logged the failure with its stack; this is the one line an operator reads.
    Console.Error.WriteLine($"ringd: {error.GetType().Name}: {error.Message}");
    return 1;
}
