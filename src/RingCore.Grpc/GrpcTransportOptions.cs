using RingCore.Storage;

namespace RingCore.Grpc;

/// <summary>
/// Settings of a node's gRPC transport (<see cref="GrpcTransport"/>): its name and address, the
/// cluster secret, where its peers are, and the limits that keep a slow or hostile peer from
/// costing it unbounded memory. Bound from the configuration section <c>RingCore:Grpc</c>; a bad
/// value fails <see cref="GrpcTransport.StartAsync"/> with the setting's name.
/// </summary>
public sealed class GrpcTransportOptions
{
    /// <summary>The smallest <see cref="MaxPayloadBytes"/> accepted: 64 KiB.</summary>
    public const int MinPayloadBytes = 64 * 1024;

    /// <summary>The largest <see cref="MaxPayloadBytes"/> accepted: 1 GiB.</summary>
    public const int MaxPayloadBytesLimit = 1 << 30;

    /// <summary>
    /// This node's name, riak's way: <c>name@host:port</c> (<c>n1@127.0.0.1:8101</c>), from
    /// which peers derive its address and where it listens unless <see cref="ListenAddress"/>
    /// says otherwise. A port of 0 listens on a free port, and the transport's
    /// <see cref="GrpcTransport.LocalNode"/> names the port it got. A name without an address
    /// (<c>n1</c>) needs <see cref="ListenAddress"/>, and its peers need it in their
    /// <see cref="AddressBook"/>. Required; printable ASCII (it travels in gRPC metadata).
    /// </summary>
    public string? NodeName { get; set; }

    /// <summary>
    /// Where to listen, <c>host:port</c>, when that is not the address in <see cref="NodeName"/>
    /// (<c>0.0.0.0:8101</c> to listen on every interface while peers dial a public name). The
    /// host is an IP address or <c>localhost</c>. Defaults to the address in the node name.
    /// </summary>
    public string? ListenAddress { get; set; }

    /// <summary>
    /// The secret every node of the cluster shares: a peer's stream must carry it (or come over
    /// a connection whose client certificate chains to <see cref="GrpcTlsOptions.TrustedCaPath"/>),
    /// or it is refused with UNAUTHENTICATED before anything it sent is read. Printable ASCII;
    /// required unless <see cref="GrpcTlsOptions.RequireClientCertificate"/> makes certificates
    /// the only way in. Over h2c it travels in clear, so it protects only a trusted network
    /// (loopback, a private network); configure <see cref="Tls"/> for any other.
    /// </summary>
    public string? ClusterSecret { get; set; }

    /// <summary>TLS and mutual TLS between nodes (<c>RingCore:Grpc:Tls:*</c>). Defaults to off: cleartext HTTP/2 (h2c).</summary>
    public GrpcTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// The secret a caller of the client services (key/value and actors) must send in the
    /// <c>ringcore-secret</c> metadata, or get UNAUTHENTICATED. Defaults to none: the client
    /// services are open to whoever reaches the address (the admin service always needs
    /// <see cref="ClusterSecret"/>). Printable ASCII when set.
    /// </summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// Addresses (<c>host:port</c>) by node name, for peers whose names carry no address or whose
    /// address must be overridden (a node behind a proxy or a moved host). Defaults to empty:
    /// each peer is dialed at the address in its name.
    /// </summary>
    public Dictionary<string, string> AddressBook { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The largest message (one serialized PeerFrame) the node sends or accepts; the gRPC
    /// message limit, each way, is this plus the envelope's few bytes. Defaults to 32 MiB: twice
    /// <see cref="StorageLimits.MaxObjectBytes"/>, since a reply carries a whole sibling set (up to
    /// the object limit) with its frame around it, and the simulated network allows the same.
    /// Lower, objects near the limit can no longer be replicated or handed off; a peer that sends
    /// more than this gets RESOURCE_EXHAUSTED and its stream ends. From 64 KiB to 1 GiB.
    /// </summary>
    public int MaxPayloadBytes { get; set; } = 2 * StorageLimits.MaxObjectBytes;

    /// <summary>
    /// The most messages queued for one peer while its stream is down or slow; past it a message
    /// sent to that peer is dropped and counted (the network lost it: callers time out, and
    /// requests are safe to repeat). Defaults to 65,536. Unbounded is not offered: a peer that is
    /// down for a minute would otherwise cost the node every message sent to it.
    /// </summary>
    public int SendQueueLimitMessages { get; set; } = 65_536;

    /// <summary>
    /// The most bytes queued for one peer, as <see cref="SendQueueLimitMessages"/>. Defaults to
    /// 64 MiB; at least <see cref="MaxPayloadBytes"/>, so that any message fits an empty queue.
    /// A node holds up to this much for each peer that is down.
    /// </summary>
    public long SendQueueLimitBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The first wait before dialing a peer again after its stream failed; the wait doubles after
    /// each failed attempt up to <see cref="ReconnectMaxDelay"/> and starts again from here once a
    /// stream was up (each wait drawn between half and all of it). Defaults to 100 ms.
    /// </summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between attempts to dial a peer that is down. Defaults to 5 seconds; at least <see cref="ReconnectMinDelay"/>.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a peer has to accept a stream (TCP connect and its response headers) before the attempt counts as failed. Defaults to 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a connection may be silent before an HTTP/2 ping checks it, and how long the
    /// ping's answer may take before the connection counts as dead: what finds a peer whose host
    /// vanished without closing its sockets. Defaults to 10 seconds.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting (<c>RingCore:Grpc:...</c>).</summary>
    public void Validate()
    {
        Require(IsAscii(NodeName), "NodeName", "set to a name of printable ASCII, name@host:port (n1@127.0.0.1:8101)", NodeName);
        bool hasAddress = NodeAddress.TryFromNodeName(NodeName!, out _);
        Require(!NodeName!.Contains('@') || hasAddress, "NodeName", "name@host:port with a port from 0 to 65535 (n1@127.0.0.1:8101)", NodeName);
        Require(ListenAddress is null ? hasAddress : NodeAddress.TryParse(ListenAddress, out _), "ListenAddress",
            ListenAddress is null ? "set when NodeName has no @host:port" : "host:port with a port from 0 to 65535 (127.0.0.1:8101)", ListenAddress);
        Require(Tls is not null, "Tls", "a section (off by default)", null);
        Require(IsAscii(ClusterSecret) || ClusterSecret is null && Tls!.RequireClientCertificate, "ClusterSecret",
            ClusterSecret is null ? "set to the cluster's secret, printable ASCII (or RingCore:Grpc:Tls:RequireClientCertificate true, to authenticate by certificate only)" : "printable ASCII",
            ClusterSecret is null ? null : "(hidden)");
        Tls!.Validate();
        Require(ClientSecret is null || IsAscii(ClientSecret), "ClientSecret", "printable ASCII when set", "(hidden)");
        Require(AddressBook is not null, "AddressBook", "a dictionary (empty by default)", null);
        foreach (var (node, address) in AddressBook!)
        {
            Require(IsAscii(node), "AddressBook", "keyed by node names of printable ASCII", node);
            Require(address is not null && NodeAddress.TryParse(address, out var parsed) && parsed.Port > 0, $"AddressBook:{node}",
                "host:port with a port from 1 to 65535", address);
        }

        Require(MaxPayloadBytes is >= MinPayloadBytes and <= MaxPayloadBytesLimit, "MaxPayloadBytes", $"from {MinPayloadBytes} to {MaxPayloadBytesLimit}", MaxPayloadBytes.ToString());
        Require(SendQueueLimitMessages > 0, "SendQueueLimitMessages", "positive", SendQueueLimitMessages.ToString());
        Require(SendQueueLimitBytes >= MaxPayloadBytes, "SendQueueLimitBytes", $"at least MaxPayloadBytes ({MaxPayloadBytes})", SendQueueLimitBytes.ToString());
        Require(IsDelay(ReconnectMinDelay), "ReconnectMinDelay", "positive and at most 1 hour", ReconnectMinDelay.ToString());
        Require(IsDelay(ReconnectMaxDelay) && ReconnectMaxDelay >= ReconnectMinDelay, "ReconnectMaxDelay", $"at least ReconnectMinDelay ({ReconnectMinDelay}) and at most 1 hour", ReconnectMaxDelay.ToString());
        Require(IsDelay(ConnectTimeout), "ConnectTimeout", "positive and at most 1 hour", ConnectTimeout.ToString());
        Require(IsDelay(KeepAliveInterval), "KeepAliveInterval", "positive and at most 1 hour", KeepAliveInterval.ToString());
    }

    /// <summary>Printable ASCII, not blank: what gRPC metadata carries as it is.</summary>
    internal static bool IsAscii(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDelay(TimeSpan delay) => delay > TimeSpan.Zero && delay <= TimeSpan.FromHours(1);

    private static void Require(bool holds, string setting, string rule, string? value)
    {
        if (!holds)
        {
            throw new ArgumentException($"RingCore:Grpc:{setting} must be {rule} (got {(value is null ? "nothing" : $"'{value}'")}).");
        }
    }
}
