using System.Globalization;
using Microsoft.Extensions.Configuration;
using RingCore.Grpc;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Storage.Faster;

namespace RingCore.Daemon;

/// <summary>Where a node keeps its partitions.</summary>
internal enum StorageBackend
{
    /// <summary>FASTER, one directory per partition under the data directory (docs/faster-storage.md).</summary>
    Faster,

    /// <summary>In memory: lost when the process ends. For trials and tests.</summary>
    Memory,
}

/// <summary>
/// ringd's settings, all in the <c>RingCore</c> section (docs/ringd.md): the daemon's own keys
/// here, the node's (<see cref="RingNodeOptions"/>, <c>RingCore:PartitionCount</c>,
/// <c>RingCore:Actors:...</c>) and the transport's (<c>RingCore:Grpc:...</c>) bound from the same
/// section. <see cref="Load"/> binds and checks everything before anything starts, so a bad value
/// stops the process with one line naming its setting.
/// </summary>
internal sealed class RingdOptions
{
    public const string Section = "RingCore";

    /// <summary>The secret ringd uses when none is configured; it logs a warning, since anyone who reads this file can join.</summary>
    public const string DevelopmentSecret = "ringcore-development-secret";

    public const string DefaultNodeName = "ringd@127.0.0.1:8087";

    /// <summary>RingCore:NodeName, <c>name@host:port</c>; peers dial the address in it. Defaults to <c>ringd@127.0.0.1:8087</c>.</summary>
    public string NodeName { get; set; } = DefaultNodeName;

    /// <summary>RingCore:ListenAddress, <c>host:port</c> to listen on when it differs from the name's (<c>0.0.0.0:8087</c>). Defaults to the name's address.</summary>
    public string? ListenAddress { get; set; }

    /// <summary>RingCore:Seed, a member of the cluster to join at start. Defaults to none: the node runs alone.</summary>
    public string? Seed { get; set; }

    /// <summary>RingCore:DataDirectory, where FASTER keeps the partitions and the node keeps its ring (<see cref="RingFilePath"/>). Defaults to <c>./data</c> (under the working directory).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>RingCore:Storage, <c>Faster</c> (default) or <c>Memory</c>.</summary>
    public string Storage { get; set; } = nameof(StorageBackend.Faster);

    /// <summary>RingCore:NVal, the default bucket's N (R and W a majority of it). Defaults to riak's 3, capped at the ring's members at start.</summary>
    public int? NVal { get; set; }

    /// <summary>RingCore:ClusterSecret, which every node of the cluster shares. Defaults to <see cref="DevelopmentSecret"/>, with a warning, unless RingCore:Grpc:Tls:RequireClientCertificate makes certificates the only way in.</summary>
    public string? ClusterSecret { get; set; }

    /// <summary>RingCore:LogFile, a file to write the log to as well as the console (rolls at 100 MB, ten files kept). Defaults to none.</summary>
    public string? LogFile { get; set; }

    /// <summary>
    /// RingCore:JoinTimeout, how long a seed that does not answer is tried again (with backoff,
    /// each attempt waiting RingCore:Membership:RequestTimeout) before ringd gives up and exits 1.
    /// A seed that answers and refuses fails the start at once. Defaults to 60 seconds.
    /// </summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>RingCore:Metrics, the metrics exporters; none by default.</summary>
    public RingdMetricsOptions Metrics { get; set; } = new();

    public StorageBackend Backend { get; private set; }

    /// <summary>Where the node keeps its ring: <c>ringcore.ring</c> in <see cref="DataDirectory"/>, whatever the storage backend (a memory node restarted rejoins its cluster empty, to be refilled).</summary>
    public string RingFilePath => Path.Combine(Path.GetFullPath(DataDirectory), "ringcore.ring");

    public RingNodeOptions Node { get; private set; } = new();

    public GrpcTransportOptions Transport { get; private set; } = new();

    public FasterStorageOptions Faster { get; private set; } = new();

    public bool UsesDevelopmentSecret => ClusterSecret is null && !Transport.Tls.RequireClientCertificate;

    /// <summary>Binds every setting from <paramref name="configuration"/> and checks them.</summary>
    /// <exception cref="RingdConfigurationException">A setting is bad; the message names it.</exception>
    public static RingdOptions Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var options = new RingdOptions();
        var node = new RingNodeOptions();
        var transport = new GrpcTransportOptions();
        try
        {
            section.Bind(options);
            section.Bind(node);
            section.GetSection("Grpc").Bind(transport);
        }
        catch (InvalidOperationException error)
        {
            // The binder names the path of a value that does not parse ("... at 'RingCore:PartitionCount' to type 'System.Int32'").
            throw new RingdConfigurationException((error.InnerException is null ? error.Message : $"{error.Message} {error.InnerException.Message}").Trim());
        }

        options.Check(node, transport);
        return options;
    }

    private void Check(RingNodeOptions node, GrpcTransportOptions transport)
    {
        Require(NodeAddressIsValid(NodeName), "NodeName", "name@host:port with a port from 0 to 65535 (ringd@127.0.0.1:8087)", NodeName);
        Require(ListenAddress is null || HostAndPort(ListenAddress), "ListenAddress", "host:port (0.0.0.0:8087)", ListenAddress);
        Require(Seed is null || NodeAddressIsValid(Seed) && Seed != NodeName, "Seed", "another node's name, name@host:port", Seed);
        Require(Enum.TryParse<StorageBackend>(Storage, ignoreCase: true, out var backend) && Enum.IsDefined(backend) && !int.TryParse(Storage, out _),
            "Storage", "Faster or Memory", Storage);
        Backend = backend;
        Require(IsPath(DataDirectory), "DataDirectory", "a directory path", DataDirectory);
        Require(ClusterSecret is null || IsPrintableAscii(ClusterSecret), "ClusterSecret", "printable ASCII, not blank", ClusterSecret is null ? null : "(hidden)");
        Require(LogFile is null || IsPath(LogFile), "LogFile", "a file path", LogFile);
        Require(JoinTimeout > TimeSpan.Zero && JoinTimeout <= TimeSpan.FromDays(1), "JoinTimeout", "positive and at most 1 day", JoinTimeout.ToString());
        CheckMetrics();

        node.NodeName = NodeName;
        if (NVal is { } n)
        {
            Require(n >= 1 && n <= node.TargetN, "NVal", $"from 1 to RingCore:TargetN ({node.TargetN})", n.ToString(CultureInfo.InvariantCulture));
            int quorum = n / 2 + 1;
            node.Replication.DefaultBucket = new BucketProperties { N = n, R = quorum, W = quorum };
        }

        transport.NodeName = NodeName;
        transport.ListenAddress = ListenAddress;
        transport.ClusterSecret = ClusterSecret ?? (transport.Tls.RequireClientCertificate ? null : DevelopmentSecret);
        Faster = new FasterStorageOptions { DataDirectory = Path.GetFullPath(DataDirectory) };
        try
        {
            node.Validate(); // names RingCore:* paths
            transport.Validate(); // names RingCore:Grpc:* paths
            if (backend == StorageBackend.Faster)
            {
                Faster.Validate();
            }
        }
        catch (ArgumentException error)
        {
            throw new RingdConfigurationException(error.Message);
        }

        Node = node;
        Transport = transport;
    }

    private void CheckMetrics()
    {
        var metrics = Metrics;
        Require(metrics.Otlp is null || Uri.TryCreate(metrics.Otlp, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https",
            "Metrics:Otlp", "an http or https URL of an OTLP collector (http://127.0.0.1:4317)", metrics.Otlp);
        Require(metrics.OtlpProtocol is not null && (metrics.OtlpProtocol.Equals("Grpc", StringComparison.OrdinalIgnoreCase) || metrics.OtlpProtocol.Equals("HttpProtobuf", StringComparison.OrdinalIgnoreCase)),
            "Metrics:OtlpProtocol", "Grpc or HttpProtobuf", metrics.OtlpProtocol);
        Require(metrics.ExportInterval >= TimeSpan.FromMilliseconds(100) && metrics.ExportInterval <= TimeSpan.FromHours(1),
            "Metrics:ExportInterval", "from 00:00:00.1 to 01:00:00", metrics.ExportInterval.ToString());
        Require(metrics.Prometheus is null || HostAndPort(metrics.Prometheus) && !metrics.Prometheus.EndsWith(":0", StringComparison.Ordinal),
            "Metrics:Prometheus", "host:port with a port from 1 to 65535 (127.0.0.1:9464)", metrics.Prometheus);
    }

    private static bool NodeAddressIsValid(string? name)
    {
        if (name is null || !IsPrintableAscii(name))
        {
            return false;
        }

        int at = name.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && HostAndPort(name[(at + 1)..]);
    }

    /// <summary>What gRPC metadata carries as it is (names and the secret travel as headers).</summary>
    private static bool IsPrintableAscii(string? text) =>
        !string.IsNullOrWhiteSpace(text) && text.All(c => c is >= ' ' and <= '~');

    private static bool HostAndPort(string text)
    {
        int colon = text.LastIndexOf(':');
        return colon > 0
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            && port is >= 0 and <= 65535;
    }

    private static bool IsPath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return false;
        }

        try
        {
            Path.GetFullPath(path);
            return true;
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
    }

    private static void Require(bool condition, string setting, string rule, string? value)
    {
        if (!condition)
        {
            throw new RingdConfigurationException($"{Section}:{setting} must be {rule} (got {(value is null ? "nothing" : $"'{value}'")}).");
        }
    }
}

/// <summary>A setting of ringd is bad; the message names it by its configuration path.</summary>
internal sealed class RingdConfigurationException(string message) : Exception(message);
