using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using RingCore.Diagnostics;
using RingCore.Protocol;

namespace RingCore.Transport;

/// <summary>
/// The one request layer between nodes (docs/architecture.md, the node runtime): every service that talks
/// to peers (replication, actors; later handoff, gossip, exchanges) sends its requests and
/// replies here, in <see cref="PeerFrame"/>s over the node's <see cref="ITransport"/>.
/// </summary>
/// <remarks>
/// <para>Request ids count up from a random start per incarnation, so a restarted node does
/// not reuse the ids its previous incarnation sent, which peers may still remember. A reply is
/// accepted only from the node the request went to, and only once; a late or duplicated reply
/// for a request no longer pending is ignored.</para>
/// <para>The duplicate window: a request sent at most once (a coordinated put, an actor
/// message) and received again from the same node with the same id (the network duplicated
/// it) is not served again; idempotent requests (reads, replica puts, reaps) skip the window. Its reply, when one was sent and is small,
/// is sent again, so a lost first reply does not cost the asker its answer; a coordinated put
/// served twice would otherwise record one client write under two dots (the sibling explosion
/// dotted version vectors exist to prevent; riak_kv_vnode answers a repeated put by its request
/// id too). The window is bounded in time and size (<see cref="PeerRpcOptions"/>).</para>
/// <para>A request to this node itself is served in process, without serialization, and its
/// reply comes back the same way.</para>
/// <para>Malformed frames (bytes that do not parse, a body for no service) are counted on the
/// meter, logged and dropped: a peer is another process that this one cannot fix.</para>
/// </remarks>
internal sealed class PeerRpc : ITransportReceiver, IDisposable
{
    private readonly ITransport _transport;
    private readonly TimeProvider _time;
    private readonly PeerRpcOptions _options;
    private readonly RingCoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IPeerService?[] _services = new IPeerService?[32];
    private readonly ConcurrentDictionary<ulong, Pending> _pending = new();
    private readonly Lock _windowLock = new();
    private readonly Dictionary<(string From, ulong Id), Served> _window = [];
    private readonly Queue<(string From, ulong Id)> _windowOrder = new();
    private readonly ITimer _sweep;
    private long _nextRequestId;
    private long _keptReplyBytes; // the duplicate window's replies, guarded by _windowLock
    private volatile bool _halted;

    /// <summary>Takes over <paramref name="transport"/>: attaches itself as its receiver.</summary>
    public PeerRpc(ITransport transport, long firstRequestId, TimeProvider time, PeerRpcOptions options, RingCoreMetrics metrics, ILogger logger)
    {
        _transport = transport;
        _time = time;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _nextRequestId = firstRequestId;
        _sweep = time.CreateTimer(static state => ((PeerRpc)state!).Sweep(), this, options.SweepInterval, options.SweepInterval);
        transport.Attach(this);
    }

    /// <summary>This node's name on the network.</summary>
    public string LocalNode => _transport.LocalNode;

    /// <summary>The largest frame the transport carries.</summary>
    public int MaxFrameBytes => _transport.MaxPayloadBytes;

    /// <summary>Requests waiting for a reply (for tests).</summary>
    internal int PendingCount => _pending.Count;

    /// <summary>Serves requests whose body is <paramref name="kind"/> with <paramref name="service"/>.</summary>
    public void Register(PeerFrame.BodyOneofCase kind, IPeerService service)
    {
        Debug.Assert((int)kind > 0 && (int)kind < _services.Length, "Every body case of PeerFrame fits the service table.");
        if (Interlocked.CompareExchange(ref _services[(int)kind], service, null) is not null)
        {
            throw new InvalidOperationException($"A service for {kind} is already registered on {LocalNode}.");
        }
    }

    /// <summary>
    /// Sends a request to <paramref name="node"/> (served in process when it is this node) and
    /// routes its reply to <paramref name="handler"/> with <paramref name="index"/>; a null
    /// handler sends without waiting for a reply. Returns the request id, for <see cref="Forget"/>.
    /// </summary>
    /// <param name="node">The node to ask.</param>
    /// <param name="frame">The request.</param>
    /// <param name="handler">Where the reply goes; null for a request that expects none.</param>
    /// <param name="index">Handed back to <paramref name="handler"/> with the reply.</param>
    /// <param name="atMostOnce">Serve it at most once (the receiver's duplicate window drops a repeated copy): for requests that are not idempotent.</param>
    /// <exception cref="ArgumentException">The node is unknown to the network, or the frame is over its limit.</exception>
    public ulong Send(string node, PeerFrame frame, IPeerReplyHandler? handler, int index = 0, bool atMostOnce = false)
    {
        ulong id = (ulong)Interlocked.Increment(ref _nextRequestId);
        frame.RequestId = id;
        frame.IsReply = false;
        frame.ExpectsReply = handler is not null;
        frame.AtMostOnce = atMostOnce;
        if (handler is not null)
        {
            _pending[id] = new Pending(handler, index, node, _time.GetTimestamp());
        }

        if (node == LocalNode)
        {
            Serve(new PeerRequest(node, id, handler is not null), frame);
            return id;
        }

        try
        {
            _transport.Send(node, frame.ToByteArray());
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }

        return id;
    }

    /// <summary>Forgets a request whose reply no longer matters; a late reply is then ignored.</summary>
    public void Forget(ulong requestId) => _pending.TryRemove(requestId, out _);

    /// <summary>Answers <paramref name="request"/> with <paramref name="reply"/>; does nothing for a request that expects none.</summary>
    public void Reply(PeerRequest request, PeerFrame reply)
    {
        if (!request.ExpectsReply)
        {
            return;
        }

        reply.RequestId = request.Id;
        reply.IsReply = true;
        reply.ExpectsReply = false;
        if (request.From == LocalNode)
        {
            Complete(request.From, reply);
            return;
        }

        byte[] bytes = reply.ToByteArray();
        if (bytes.Length <= _options.ReplayedReplyLimitBytes)
        {
            lock (_windowLock)
            {
                // Kept while the window's replies stay under their budget: a flood of large
                // replies must not make the window hold gigabytes.
                if (_keptReplyBytes + bytes.Length <= _options.ReplayedReplyBudgetBytes
                    && _window.TryGetValue((request.From, request.Id), out var served) && served.Reply is null)
                {
                    served.Reply = bytes;
                    _keptReplyBytes += bytes.Length;
                }
            }
        }

        SendReply(request.From, bytes);
    }

    /// <summary>Stops serving and sending replies, as a crashed process does (for the TestKit); pending requests end in their timeouts.</summary>
    public void Halt()
    {
        _halted = true;
        _sweep.Dispose();
    }

    /// <inheritdoc />
    public void Receive(string node, ReadOnlyMemory<byte> payload)
    {
        if (_halted)
        {
            return;
        }

        PeerFrame frame;
        try
        {
            frame = PeerFrame.Parser.ParseFrom(payload.Span);
        }
        catch (InvalidProtocolBufferException error)
        {
            Malformed(node, error.Message);
            return;
        }

        if (frame.IsReply)
        {
            Complete(node, frame);
            return;
        }

        if (frame.AtMostOnce && !TryEnterWindow(node, frame.RequestId))
        {
            return;
        }

        Serve(new PeerRequest(node, frame.RequestId, frame.ExpectsReply), frame);
    }

    /// <summary>Counts and logs a malformed message from <paramref name="node"/> (services call it for bodies they cannot read).</summary>
    public void Malformed(string node, string reason)
    {
        _metrics.Count(_metrics.Malformed);
        RingCoreLog.MalformedMessage(_logger, node, reason);
    }

    /// <inheritdoc />
    public void Dispose() => Halt();

    private void Serve(PeerRequest request, PeerFrame frame)
    {
        int kind = (int)frame.BodyCase;
        if (kind <= 0 || kind >= _services.Length || Volatile.Read(ref _services[kind]) is not { } service)
        {
            Malformed(request.From, $"a request for no service ({frame.BodyCase})");
            return;
        }

        service.OnRequest(request, frame);
    }

    private void Complete(string from, PeerFrame reply)
    {
        // An unknown id is a late or duplicated reply, or one for a request this node never sent.
        if (_pending.TryGetValue(reply.RequestId, out var pending) && pending.Node == from && _pending.TryRemove(reply.RequestId, out _))
        {
            pending.Handler.OnReply(pending.Index, reply);
        }
    }

    /// <summary>True when the request is new; a duplicate is counted, answered again if its reply is kept, and refused.</summary>
    private bool TryEnterWindow(string from, ulong id)
    {
        byte[]? replay;
        lock (_windowLock)
        {
            if (!_window.TryGetValue((from, id), out var served))
            {
                _window[(from, id)] = new Served(_time.GetTimestamp());
                _windowOrder.Enqueue((from, id));
                while (_windowOrder.Count > _options.DuplicateWindowCapacity)
                {
                    ForgetOldest();
                }

                return true;
            }

            replay = served.Reply;
        }

        _metrics.Count(_metrics.Duplicates);
        if (replay is not null)
        {
            SendReply(from, replay);
        }

        return false;
    }

    private void SendReply(string to, byte[] bytes)
    {
        if (_halted)
        {
            return;
        }

        try
        {
            _transport.Send(to, bytes);
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            // Too large for the transport, or the asker left the network: it ends in its timeout.
            _metrics.Count(_metrics.UnsentReplies);
            RingCoreLog.ReplyNotSent(_logger, to, error.Message);
        }
    }

    private void Sweep()
    {
        foreach (var (id, pending) in _pending)
        {
            if (_time.GetElapsedTime(pending.Sent) > _options.RequestRetention)
            {
                _pending.TryRemove(id, out _);
            }
        }

        lock (_windowLock)
        {
            while (_windowOrder.TryPeek(out var oldest)
                   && (!_window.TryGetValue(oldest, out var served) || _time.GetElapsedTime(served.Received) > _options.RequestRetention))
            {
                ForgetOldest();
            }
        }
    }

    /// <summary>Drops the oldest request of the duplicate window and gives its reply's bytes back to the budget (under the window's lock).</summary>
    private void ForgetOldest()
    {
        if (_window.Remove(_windowOrder.Dequeue(), out var served) && served.Reply is { } reply)
        {
            _keptReplyBytes -= reply.Length;
        }

        Debug.Assert(_keptReplyBytes >= 0, "The kept replies' bytes are counted in and out exactly once.");
    }

    /// <summary>A request waiting for its reply: a struct, kept inline in the dictionary's node.</summary>
    private readonly record struct Pending(IPeerReplyHandler Handler, int Index, string Node, long Sent);

    private sealed class Served(long received)
    {
        public long Received { get; } = received;

        public byte[]? Reply { get; set; }
    }
}
