using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Serilog;
using Serilog.Events;

namespace RingCore.Daemon;

/// <summary>ringd's logging (Serilog: the console, and a file when <c>RingCore:LogFile</c> is set) and metrics (OpenTelemetry, when <c>RingCore:Metrics</c> names an exporter).</summary>
internal static class RingdTelemetry
{
    /// <summary>The meter the node and the transport measure on (RingCore's Diagnostics).</summary>
    public const string MeterName = "RingCore";

    private const string LineFormat = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>A file's lines carry the date and the offset: a file outlives the day it was written.</summary>
    private const string FileLineFormat = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>The largest log file before it rolls to a new one (<c>ringd_001.log</c>...); ten files are kept.</summary>
    private const long LogFileLimitBytes = 100L * 1024 * 1024;

    public static void AddLogging(IServiceCollection services, RingdOptions options) => services.AddSerilog(logger =>
    {
        logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            // The host's lifetime lines would show twice (the transport's Kestrel runs a host of its own); RingdLog says when it listens and stops.
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: LineFormat);
        if (options.LogFile is { } file)
        {
            // Each event is flushed as it is written (buffered: false), so a crash loses no line.
            logger.WriteTo.File(Path.GetFullPath(file), outputTemplate: FileLineFormat,
                fileSizeLimitBytes: LogFileLimitBytes, rollOnFileSizeLimit: true, retainedFileCountLimit: 10);
        }
    });

    public static void AddMetrics(IServiceCollection services, RingdOptions options)
    {
        var metrics = options.Metrics;
        if (!metrics.IsEnabled)
        {
            return;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("ringd", serviceInstanceId: options.NodeName))
            .WithMetrics(meters =>
            {
                meters.AddMeter(MeterName);
                if (metrics.Otlp is { } endpoint)
                {
                    meters.AddOtlpExporter((exporter, reader) =>
                    {
                        bool http = metrics.OtlpProtocol.Equals("HttpProtobuf", StringComparison.OrdinalIgnoreCase);
                        exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                        var uri = new Uri(endpoint);
                        exporter.Endpoint = http && uri.AbsolutePath == "/" ? new Uri(uri, "v1/metrics") : uri;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)metrics.ExportInterval.TotalMilliseconds;
                    });
                }

                if (metrics.Prometheus is { } address)
                {
                    int colon = address.LastIndexOf(':');
                    meters.AddPrometheusHttpListener(listener =>
                    {
                        listener.Host = address[..colon];
                        listener.Port = int.Parse(address.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
                    });
                }
            });
    }
}
