using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RingCore.Node;
using RingCore.Transport;

namespace RingCore.Grpc;

/// <summary>
/// A node's transport over the network (issue 15; docs/grpc-transport.md): gRPC over HTTP/2,
/// served by Grpc.AspNetCore on Kestrel and dialed with Grpc.Net.Client, one long-lived stream
/// per peer (proto/ringcore_peer.proto) carrying the node's PeerRpc frames as opaque bytes.
/// </summary>
/// <remarks>
/// <para>Each node dials one HTTP/2 connection with one stream to each peer it sends to, the
/// first time it sends, and dials it again with capped exponential backoff whenever it breaks;
/// a peer is reachable (<see cref="IsReachable"/>) while that stream is up. What a node receives
/// arrives on the streams its peers dialed, and is handed to the receiver in order per peer.</para>
/// <para>Every stream must carry the cluster secret, or it is refused with UNAUTHENTICATED before
/// a byte of it is delivered. Messages to a peer wait in a queue bounded in messages and bytes;
/// when it is full, <see cref="Send"/> drops the message and counts it rather than block or grow.
/// A stream from a peer is read at the node's pace, so a peer that floods it is held back by
/// HTTP/2 flow control.</para>
/// <para>Cleartext HTTP/2 (h2c) unless <see cref="GrpcTransportOptions.Tls"/> names a
/// certificate: then HTTPS with ALPN h2 each way and, with a CA, mutual TLS, where a peer's
/// client certificate that chains to the CA stands in for the secret.</para>
/// </remarks>
public sealed class GrpcTransport : ITransport
{
    /// <summary>The gRPC message limit over <see cref="MaxPayloadBytes"/>: an envelope's bytes around its largest frame, with room to spare.</summary>
    internal const int EnvelopeOverheadBytes = 64;

    private readonly ConcurrentDictionary<string, PeerConnection> _peers = new(StringComparer.Ordinal);
    private readonly Lock _dialing = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Random _random = new();
    private PeerServer? _server;
    private ITransportReceiver? _receiver;
    private RingNode? _node;
    private int _disposed;

    private GrpcTransport(GrpcTransportOptions options, PeerCertificates? certificates, ILoggerFactory loggerFactory, IMeterFactory? meterFactory)
    {
        Options = options;
        Certificates = certificates;
        LoggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger("RingCore");
        LocalNode = options.NodeName!;
        SecretDigest = options.ClusterSecret is { } secret ? PeerHeaders.Digest(secret) : null;
        ClientSecretDigest = options.ClientSecret is { } clientSecret ? PeerHeaders.Digest(clientSecret) : null;
        Authentication = new PeerAuthentication(SecretDigest, certificates?.ChecksClientCertificates ?? false);
        Metrics = new GrpcTransportMetrics(LocalNode, meterFactory, QueuedMessages);
    }

    /// <summary>This node's name: <see cref="GrpcTransportOptions.NodeName"/>, with the bound port in place of a port of 0.</summary>
    public string LocalNode { get; private set; }

    /// <inheritdoc cref="GrpcTransportOptions.MaxPayloadBytes" />
    public int MaxPayloadBytes => Options.MaxPayloadBytes;

    /// <summary>Where the transport listens, as bound (<c>http://127.0.0.1:54321/</c>): the port is known here when the settings asked for 0.</summary>
    public Uri ListenAddress { get; private set; } = null!;

    /// <summary>What the transport did so far.</summary>
    public GrpcTransportStatistics Statistics => Metrics.Snapshot();

    /// <inheritdoc />
    public event Action? ReachabilityChanged;

    internal GrpcTransportOptions Options { get; }

    internal ILoggerFactory LoggerFactory { get; }

    internal ILogger Logger { get; }

    internal GrpcTransportMetrics Metrics { get; }

    /// <summary>The digest of the cluster secret; null when certificates are the only way in (<see cref="GrpcTlsOptions.RequireClientCertificate"/> without a secret).</summary>
    internal byte[]? SecretDigest { get; }

    /// <summary>The node's TLS material; null when it speaks h2c.</summary>
    internal PeerCertificates? Certificates { get; }

    /// <summary>Whether a call to any service on this transport's server may run: the secret or a trusted client certificate. Every service checks with this.</summary>
    internal PeerAuthentication Authentication { get; }

    /// <summary>The digest of <see cref="GrpcTransportOptions.ClientSecret"/>; null when the client services are open.</summary>
    internal byte[]? ClientSecretDigest { get; }

    /// <summary>The node the admin and client services serve; null until <see cref="Serve"/>.</summary>
    internal RingNode? Node => Volatile.Read(ref _node);

    internal ITransportReceiver? Receiver => Volatile.Read(ref _receiver);

    /// <summary>Cancelled when the transport stops: ends the streams it serves.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>
    /// Starts a transport: validates <paramref name="options"/>, binds the listen address and
    /// returns once it listens. Pass its <see cref="LocalNode"/> as the node's name
    /// (<c>RingNodeOptions.NodeName</c>) and the transport to <c>RingNode.StartAsync</c>.
    /// </summary>
    /// <param name="options">The transport's settings; validated first.</param>
    /// <param name="loggerFactory">Where the transport, Kestrel and gRPC log (the transport under category <c>RingCore</c>). Defaults to nowhere.</param>
    /// <param name="meterFactory">Where the <c>RingCore</c> meter comes from. Defaults to a meter of the transport's own.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it).</exception>
    /// <exception cref="IOException">The address cannot be bound (in use, or not this host's).</exception>
    public static async Task<GrpcTransport> StartAsync(GrpcTransportOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var listen = PeerServer.ListenAddressOf(options);
        var transport = new GrpcTransport(options, PeerCertificates.Load(options.Tls), loggerFactory ?? NullLoggerFactory.Instance, meterFactory);
        try
        {
            transport._server = await PeerServer.StartAsync(transport, listen, loggerFactory, cancellationToken).ConfigureAwait(false);
            transport.ListenAddress = transport._server.Address;
            if (NodeAddress.TryFromNodeName(transport.LocalNode, out var named) && named.Port == 0)
            {
                transport.LocalNode = $"{NodeAddress.ShortName(transport.LocalNode)}@{new NodeAddress(named.Host, transport.ListenAddress.Port)}";
                transport.Metrics.SetNode(transport.LocalNode);
            }

            GrpcTransportLog.Listening(transport.Logger, transport.LocalNode, transport.ListenAddress.ToString(), transport.Security);
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return transport;
    }

    /// <summary>The gRPC message limit for a payload limit: the envelope around the largest frame.</summary>
    internal static int MaxMessageBytes(int maxPayloadBytes) => maxPayloadBytes + EnvelopeOverheadBytes;

    /// <inheritdoc />
    public void Attach(ITransportReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        if (Interlocked.CompareExchange(ref _receiver, receiver, null) is not null)
        {
            throw new InvalidOperationException($"Node '{LocalNode}' already has a receiver attached.");
        }
    }

    /// <summary>
    /// Serves <paramref name="node"/> through the admin and client services (proto/ringcore_admin.proto,
    /// proto/ringcore_client.proto) on this transport's address. The transport listens before the
    /// node starts (the node needs it to start), so until this call those services answer
    /// UNAVAILABLE; once the node stops they answer UNAVAILABLE again.
    /// </summary>
    /// <param name="node">The node started on this transport.</param>
    /// <exception cref="ArgumentException">The node is not this transport's (<see cref="RingNode.Name"/> is not <see cref="LocalNode"/>).</exception>
    /// <exception cref="InvalidOperationException">The transport serves a node already.</exception>
    public void Serve(RingNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Name != LocalNode)
        {
            throw new ArgumentException($"Node '{node.Name}' did not start on this transport, which belongs to '{LocalNode}'.", nameof(node));
        }

        if (Interlocked.CompareExchange(ref _node, node, null) is not null)
        {
            throw new InvalidOperationException($"The transport of '{LocalNode}' serves a node already.");
        }
    }

    /// <summary>
    /// Stops taking admin and client calls and waits for those in flight to finish (a stopping
    /// ringd's first step, before its node stops): from now on a new call is refused with
    /// UNAVAILABLE, which a client retries at another node. The peer transport goes on, so the
    /// node still serves its peers while it stops.
    /// </summary>
    /// <param name="timeout">How long to wait for the calls in flight.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The calls still in flight when the wait ended: 0 when every one finished.</returns>
    public async Task<int> StopServingAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _draining, true);
        Interlocked.MemoryBarrier(); // the flag is visible before the count is read: a call counts itself, then reads the flag
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref _callsInFlight) > 0 && clock.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), CancellationToken.None).ConfigureAwait(false);
        }

        return Volatile.Read(ref _callsInFlight);
    }

    /// <summary>Whether <see cref="StopServingAsync"/> was called: new admin and client calls are refused.</summary>
    internal bool Draining => Volatile.Read(ref _draining);

    /// <summary>Counts an admin or client call in (its handler is about to run) or out.</summary>
    internal void CallStarted() => Interlocked.Increment(ref _callsInFlight);

    internal void CallEnded() => Interlocked.Decrement(ref _callsInFlight);

    private bool _draining;
    private int _callsInFlight;

    /// <inheritdoc />
    /// <remarks>
    /// The payload is copied into the peer's queue and written by the peer's pump; a full queue
    /// drops it (counted in <see cref="GrpcTransportStatistics.Dropped"/>, logged once per
    /// episode), and so does a stopped transport, as a crashed process would.
    /// </remarks>
    /// <exception cref="ArgumentException">The node has no address (no <c>@host:port</c> in its name and no entry in the address book), or the payload is larger than <see cref="MaxPayloadBytes"/>.</exception>
    public void Send(string node, ReadOnlyMemory<byte> payload)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        if (payload.Length > MaxPayloadBytes)
        {
            throw new ArgumentException(
                $"A message of {payload.Length} bytes is over the transport's limit of {MaxPayloadBytes} bytes (RingCore:Grpc:MaxPayloadBytes).", nameof(payload));
        }

        var peer = _peers.TryGetValue(node, out var known) ? known : Dial(node, AddressOf(node));
        if (peer is null || Volatile.Read(ref _disposed) != 0)
        {
            Metrics.Dropped("stopped");
            return;
        }

        if (!peer.TryEnqueue(payload.Span))
        {
            Metrics.Dropped("queue_full");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// True while the stream to <paramref name="node"/> is up. Asking about a peer this node has
    /// no stream to yet starts dialing it (and answers false until it is up, when
    /// <see cref="ReachabilityChanged"/> fires), so that a failure detector that takes this view
    /// (<c>FailureDetectionMode.TransportReachability</c>) learns of every member, not only of
    /// those the node happened to send to. A node with no address is never reachable.
    /// </remarks>
    public bool IsReachable(string node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node == LocalNode)
        {
            return true;
        }

        if (_peers.TryGetValue(node, out var peer))
        {
            return peer.IsUp;
        }

        if (TryAddressOf(node, out var address))
        {
            Dial(node, address);
        }

        return false;
    }

    /// <summary>Stops serving (the streams from peers end), closes the streams and connections to peers and drops what their queues still hold.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        PeerConnection[] peers;
        lock (_dialing)
        {
            peers = [.. _peers.Values];
        }

        long dropped = 0;
        foreach (var peer in peers)
        {
            dropped += peer.Queue.Close();
        }

        Metrics.Dropped("stopped", dropped);
        await Task.WhenAll(peers.Select(peer => peer.DisposeAsync().AsTask())).ConfigureAwait(false);
        if (_server is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            GrpcTransportLog.Stopped(Logger, LocalNode, dropped);
        }

        Metrics.Dispose();
        Certificates?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>How the transport talks, for its log line: h2c, TLS, or mutual TLS.</summary>
    private string Security => Certificates is null ? "h2c"
        : Options.Tls.RequireClientCertificate ? "mutual TLS"
        : Certificates.ChecksClientCertificates ? "TLS, client certificates checked"
        : "TLS";

    /// <summary>Called by a peer connection when its stream came up or went down (never under a lock).</summary>
    internal void OnReachabilityChanged() => ReachabilityChanged?.Invoke();

    private long QueuedMessages()
    {
        long queued = 0;
        foreach (var (_, peer) in _peers)
        {
            queued += peer.Queue.Count;
        }

        return queued;
    }

    /// <summary>Where <paramref name="node"/> listens: its entry in the address book, else the address in its name.</summary>
    /// <exception cref="ArgumentException">The name is not ASCII, or the node has no address.</exception>
    private NodeAddress AddressOf(string node)
    {
        if (!GrpcTransportOptions.IsAscii(node))
        {
            throw new ArgumentException($"Node name '{node}' must be printable ASCII: it travels in gRPC metadata.", nameof(node));
        }

        return TryAddressOf(node, out var address)
            ? address
            : throw new ArgumentException(
                $"Node '{node}' has no address: name it name@host:port (n1@127.0.0.1:8101), or give its host:port in RingCore:Grpc:AddressBook.", nameof(node));
    }

    private bool TryAddressOf(string node, out NodeAddress address)
    {
        if (Options.AddressBook.TryGetValue(node, out string? listed))
        {
            return NodeAddress.TryParse(listed, out address); // checked by Validate
        }

        return NodeAddress.TryFromNodeName(node, out address) && address.Port != 0 && GrpcTransportOptions.IsAscii(node);
    }

    /// <summary>The connection to <paramref name="node"/>, made the first time it is needed; null once the transport stopped.</summary>
    private PeerConnection? Dial(string node, NodeAddress address)
    {
        lock (_dialing)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return null;
            }

            if (!_peers.TryGetValue(node, out var peer))
            {
                peer = new PeerConnection(this, node, address, Options.ClusterSecret, Options, new Random(_random.Next()));
                _peers[node] = peer;
            }

            return peer;
        }
    }
}
