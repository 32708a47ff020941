using System.Diagnostics;
using System.Net.Http;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using RingCore.Grpc.Protocol;

namespace RingCore.Grpc;

/// <summary>
/// This node's side of its link to one peer: a bounded queue of messages for it, one HTTP/2
/// connection (a <see cref="GrpcChannel"/> of its own) and on it one long-lived stream, dialed
/// again with capped exponential backoff whenever it breaks. The peer counts as reachable
/// exactly while the stream is up: from its response headers to its first failure.
/// </summary>
/// <remarks>
/// One pump per peer reads the queue and writes envelopes, so messages to a peer leave in the
/// order they were sent; a message taken from the queue when the stream breaks is lost, as on
/// any network (PeerRpc's callers have timeouts). The queue is kept across reconnects, so a
/// short outage loses only what the queue could not hold.
/// </remarks>
internal sealed class PeerConnection : IAsyncDisposable
{
    /// <summary>The batch size an envelope grows to from queued messages, at most (a single larger message goes alone).</summary>
    internal const int BatchBytes = 256 * 1024;

    /// <summary>An envelope's bytes around one frame: the field's tag and its length (a varint of at most 5 bytes).</summary>
    internal const int FrameOverheadBytes = 6;

    private readonly GrpcTransport _owner;
    private readonly GrpcChannel _channel;
    private readonly PeerTransport.PeerTransportClient _client;
    private readonly Metadata _headers;
    private readonly ReconnectBackoff _backoff;
    private readonly int _batchBytes;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private volatile bool _up;
    private int _dropping; // 1 while the queue refuses messages: logged once per episode

    public PeerConnection(GrpcTransport owner, string peer, NodeAddress address, string? secret, GrpcTransportOptions options, Random random)
    {
        _owner = owner;
        Peer = peer;
        Address = address;
        Queue = new SendQueue(options.SendQueueLimitMessages, options.SendQueueLimitBytes);
        _backoff = new ReconnectBackoff(options.ReconnectMinDelay, options.ReconnectMaxDelay, random);

        // A batch stays within the payload limit, which the peers share: an envelope is then at
        // most one frame of the limit and its few bytes, under every peer's message limit.
        _batchBytes = Math.Min(BatchBytes, options.MaxPayloadBytes);
        int maxMessage = GrpcTransport.MaxMessageBytes(options.MaxPayloadBytes);
        _channel = GrpcChannel.ForAddress(address.ToUri(tls: owner.Certificates is not null), new GrpcChannelOptions
        {
            // One connection per peer: this handler is this peer's alone, and one stream needs one connection.
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = false,
                ConnectTimeout = options.ConnectTimeout,
                KeepAlivePingDelay = options.KeepAliveInterval,
                KeepAlivePingTimeout = options.KeepAliveInterval,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                SslOptions = owner.Certificates?.ClientOptions() ?? new(),
            },
            DisposeHttpClient = true,
            MaxSendMessageSize = maxMessage,
            MaxReceiveMessageSize = maxMessage,
            LoggerFactory = owner.LoggerFactory,
        });
        _client = new PeerTransport.PeerTransportClient(_channel);
        _headers = new Metadata
        {
            { PeerHeaders.Node, owner.LocalNode },
            { PeerHeaders.Target, peer },
        };
        if (secret is not null)
        {
            _headers.Add(PeerHeaders.Secret, secret); // without it, the client certificate authenticates this node
        }
        _run = Task.Run(RunAsync);
    }

    public string Peer { get; }

    public NodeAddress Address { get; }

    public SendQueue Queue { get; }

    /// <summary>Whether the stream to the peer is up now.</summary>
    public bool IsUp => _up;

    /// <summary>Queues a copy of <paramref name="payload"/>; false (and logged once per episode) when the queue is full.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> payload)
    {
        if (Queue.TryEnqueue(payload.ToArray()))
        {
            Volatile.Write(ref _dropping, 0);
            return true;
        }

        if (Interlocked.Exchange(ref _dropping, 1) == 0)
        {
            GrpcTransportLog.QueueFull(_owner.Logger, _owner.LocalNode, Peer, Queue.Count, Queue.Bytes);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _run.ConfigureAwait(false);
        }
        finally
        {
            _channel.Dispose();
            _stop.Dispose();
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stop.Token;
        while (!stopping.IsCancellationRequested)
        {
            string reason;
            try
            {
                reason = await StreamAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error)
            {
                // Whatever broke the stream (a refusal, a reset, a timeout, a peer that is gone), the
                // link must live on: it is logged with its reason and dialed again.
                reason = error is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : $"{error.GetType().Name}: {error.Message}";
            }

            var delay = _backoff.Next();
            if (_up)
            {
                SetUp(false);
                GrpcTransportLog.StreamLost(_owner.Logger, _owner.LocalNode, Peer, reason, (long)delay.TotalMilliseconds);
            }
            else
            {
                GrpcTransportLog.DialFailed(_owner.Logger, _owner.LocalNode, Peer, Address.ToString(), reason, (long)delay.TotalMilliseconds);
            }

            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        SetUp(false);
    }

    /// <summary>Dials the peer and pumps the queue into the stream until it breaks; returns why it ended.</summary>
    private async Task<string> StreamAsync(CancellationToken stopping)
    {
        using var broken = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var call = _client.Connect(_headers, cancellationToken: broken.Token);
        var headers = await call.ResponseHeadersAsync.WaitAsync(_owner.Options.ConnectTimeout, stopping).ConfigureAwait(false);
        string? accepted = headers.GetValue(PeerHeaders.Node);
        if (accepted is null)
        {
            // A refusal comes as a status with no headers (trailers only): reading it throws the status.
            return await call.ResponseStream.MoveNext(stopping).ConfigureAwait(false)
                ? "the peer sent a message before accepting the stream"
                : "the peer ended the stream without accepting it";
        }

        if (accepted != Peer)
        {
            return $"the node at {Address} is '{accepted}', not '{Peer}'";
        }

        _backoff.Reset();
        _owner.Metrics.StreamOpened(Peer);
        GrpcTransportLog.StreamOpened(_owner.Logger, _owner.LocalNode, Peer, Address.ToString());
        SetUp(true);

        // The server sends nothing back; its response stream ends when the stream breaks (the
        // peer stopped, or refused a message), which must stop the pump even while it is idle.
        var watch = WatchAsync(call.ResponseStream, broken);
        try
        {
            await PumpAsync(call.RequestStream, broken.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (broken.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            // The watcher saw the stream end: its reason is the one to report.
        }
        finally
        {
            await broken.CancelAsync().ConfigureAwait(false);
        }

        return await watch.ConfigureAwait(false);
    }

    private async Task PumpAsync(IClientStreamWriter<PeerEnvelope> stream, CancellationToken broken)
    {
        while (await Queue.WaitToReadAsync(broken).ConfigureAwait(false))
        {
            // One envelope carries what is queued, up to the batch size: a burst of small
            // messages costs one gRPC message and one flush.
            var envelope = new PeerEnvelope();
            int bytes = 0;
            while (Queue.TryPeekLength(out int length) && (envelope.Frames.Count == 0 || bytes + length + FrameOverheadBytes <= _batchBytes))
            {
                bool taken = Queue.TryDequeue(out var payload);
                Debug.Assert(taken, "The pump is the queue's only reader, so a peeked message is still there.");
                envelope.Frames.Add(UnsafeByteOperations.UnsafeWrap(payload)); // the queue's copy, never written again
                bytes += length + FrameOverheadBytes;
            }

            await stream.WriteAsync(envelope, broken).ConfigureAwait(false);
            _owner.Metrics.Sent(envelope.Frames.Count);
        }
    }

    private static async Task<string> WatchAsync(IAsyncStreamReader<PeerEnvelope> responses, CancellationTokenSource broken)
    {
        try
        {
            while (await responses.MoveNext(broken.Token).ConfigureAwait(false))
            {
                // Nothing is sent this way yet (proto/ringcore_peer.proto); a later server's messages are ignored.
            }

            return "the peer ended the stream";
        }
        catch (RpcException error)
        {
            return $"{error.StatusCode}: {error.Status.Detail}";
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or InvalidOperationException)
        {
            return error.Message;
        }
        finally
        {
            await broken.CancelAsync().ConfigureAwait(false);
        }
    }

    private void SetUp(bool up)
    {
        if (_up != up)
        {
            _up = up;
            _owner.OnReachabilityChanged();
        }
    }
}
