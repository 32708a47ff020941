namespace RingCore.Daemon;

/// <summary>
/// ringd's metrics exporters (<c>RingCore:Metrics</c>; docs/ringd.md, Metrics): the instruments of
/// the <c>RingCore</c> meter (the node's and the transport's), exported over OTLP, served for
/// Prometheus to scrape, both, or (the default) neither.
/// </summary>
internal sealed class RingdMetricsOptions
{
    /// <summary>RingCore:Metrics:Otlp, the OTLP collector to push to (<c>http://127.0.0.1:4317</c>). Defaults to none: no OTLP export.</summary>
    public string? Otlp { get; set; }

    /// <summary>RingCore:Metrics:OtlpProtocol, <c>Grpc</c> (default, port 4317) or <c>HttpProtobuf</c> (port 4318; <c>/v1/metrics</c> is added to an endpoint without a path).</summary>
    public string OtlpProtocol { get; set; } = "Grpc";

    /// <summary>RingCore:Metrics:ExportInterval, how often OTLP export pushes. Defaults to 60 seconds (OpenTelemetry's default); from 100 ms to 1 hour.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// RingCore:Metrics:Prometheus, <c>host:port</c> to serve Prometheus' scrape endpoint on
    /// (<c>127.0.0.1:9464</c>; scraped at <c>http://127.0.0.1:9464/metrics</c>). Defaults to none.
    /// A host of <c>+</c> or <c>*</c> listens on every interface, which shows the metrics to the network.
    /// </summary>
    public string? Prometheus { get; set; }

    public bool IsEnabled => Otlp is not null || Prometheus is not null;
}
