using System.Diagnostics.Metrics;

namespace RingCore.Grpc;

/// <summary>
/// The transport's instruments on the <c>RingCore</c> meter (tagged <c>ringcore.node</c>, as the
/// node's own), and the same counts kept for <see cref="GrpcTransport.Statistics"/>.
/// </summary>
internal sealed class GrpcTransportMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _received;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _streamsOpened;
    private readonly Counter<long> _streamsRefused;
    private KeyValuePair<string, object?> _node;
    private long _sentCount, _receivedCount, _droppedCount, _openedCount, _refusedCount, _malformedCount, _oversizedCount;

    public GrpcTransportMetrics(string node, IMeterFactory? meterFactory, Func<long> queuedMessages)
    {
        _node = new("ringcore.node", node);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create("RingCore") ?? new Meter("RingCore");
        _sent = _meter.CreateCounter<long>("ringcore.transport.sent", "{message}", "Messages written to a peer's gRPC stream.");
        _received = _meter.CreateCounter<long>("ringcore.transport.received", "{message}", "Messages from peers' gRPC streams handed to the node.");
        _dropped = _meter.CreateCounter<long>("ringcore.transport.dropped", "{message}",
            "Messages dropped by the transport, by reason (queue_full: the peer's send queue was at its limit; stopped: still queued when the transport stopped).");
        _streamsOpened = _meter.CreateCounter<long>("ringcore.transport.streams_opened", "{stream}", "Streams to peers that came up (the first and every reconnect), by peer.");
        _streamsRefused = _meter.CreateCounter<long>("ringcore.transport.streams_refused", "{stream}",
            "Streams from peers refused or ended by this node, by reason (unauthenticated, wrong_node, not_ready, malformed, oversized; certificate: a TLS handshake refused for its client certificate).");
        _meter.CreateObservableUpDownCounter("ringcore.transport.queued", () => new Measurement<long>(queuedMessages(), _node), "{message}",
            "Messages waiting in the send queues to peers.");
    }

    /// <summary>Names the node once the transport knows its name (a port of 0 is known only after binding).</summary>
    public void SetNode(string node) => _node = new("ringcore.node", node);

    public GrpcTransportStatistics Snapshot() => new(
        Interlocked.Read(ref _sentCount), Interlocked.Read(ref _receivedCount), Interlocked.Read(ref _droppedCount), Interlocked.Read(ref _openedCount),
        Interlocked.Read(ref _refusedCount), Interlocked.Read(ref _malformedCount), Interlocked.Read(ref _oversizedCount));

    public void Sent(int messages)
    {
        Interlocked.Add(ref _sentCount, messages);
        _sent.Add(messages, _node);
    }

    public void Received()
    {
        Interlocked.Increment(ref _receivedCount);
        _received.Add(1, _node);
    }

    public void Dropped(string reason, long messages = 1)
    {
        Interlocked.Add(ref _droppedCount, messages);
        if (_dropped.Enabled)
        {
            _dropped.Add(messages, _node, new("ringcore.reason", reason));
        }
    }

    public void StreamOpened(string peer)
    {
        Interlocked.Increment(ref _openedCount);
        if (_streamsOpened.Enabled)
        {
            _streamsOpened.Add(1, _node, new("ringcore.peer", peer));
        }
    }

    /// <summary>A stream refused or ended by this node; <paramref name="reason"/> is one of the documented reasons.</summary>
    public void StreamRefused(string reason)
    {
        switch (reason)
        {
            case "malformed":
                Interlocked.Increment(ref _malformedCount);
                break;
            case "oversized":
                Interlocked.Increment(ref _oversizedCount);
                break;
            default:
                Interlocked.Increment(ref _refusedCount);
                break;
        }

        if (_streamsRefused.Enabled)
        {
            _streamsRefused.Add(1, _node, new("ringcore.reason", reason));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
