using Grpc.Core;
using Grpc.Net.Client;
using RingCore.Grpc.Client;

namespace RingCore.Client;

/// <summary>
/// A client of a RingCore cluster's client service (proto/ringcore_client.proto) for applications
/// that do not embed a node: key/value with siblings and causal contexts, and per-key actors.
/// </summary>
/// <remarks>
/// One gRPC channel (one HTTP/2 connection) per node, opened on first use and reused by every
/// call; the client is thread-safe and meant to live as long as the application. A call goes to
/// the node that answered the last one; when that node is down, refuses the connection or
/// answers UNAVAILABLE (stopping, no quorum), the call moves on to the next node of
/// <see cref="RingClientOptions.Nodes"/>, up to <see cref="RingClientOptions.MaxAttempts"/>
/// nodes. A refused request (INVALID_ARGUMENT, FAILED_PRECONDITION, UNAUTHENTICATED, ABORTED...)
/// and a deadline are never retried: another node would refuse it too, or it may have run.
/// </remarks>
public sealed partial class RingClient : IAsyncDisposable
{
    private const string SecretHeader = "ringcore-secret";

    private readonly RingClientOptions _options;
    private readonly Node[] _nodes;
    private readonly Metadata _headers = [];
    private int _preferred;
    private int _disposed;

    /// <summary>Creates a client of the nodes <paramref name="options"/> names; it connects on the first call.</summary>
    /// <exception cref="ArgumentException">No node, a node address that does not parse, or a bad setting (the message names it).</exception>
    public RingClient(RingClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _nodes = new Node[options.Nodes.Count];
        for (int i = 0; i < _nodes.Length; i++)
        {
            _nodes[i] = new Node(options.Nodes[i], NodeEndpoint.Parse(options.Nodes[i]), options);
        }

        if (options.Secret is { } secret)
        {
            _headers.Add(SecretHeader, secret);
        }
    }

    /// <summary>Creates a client of <paramref name="nodes"/> (<c>host:port</c> or <c>name@host:port</c>) with the default options and no secret.</summary>
    public RingClient(params string[] nodes)
        : this(new RingClientOptions { Nodes = nodes })
    {
    }

    /// <summary>The node the next call goes to first (the last one that answered), as the options name it.</summary>
    public string PreferredNode => _nodes[Volatile.Read(ref _preferred)].Name;

    /// <summary>Closes every node's channel. Calls still running fail.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (var node in _nodes)
            {
                node.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Makes one unary call, trying the next node when one is unavailable. Every failure becomes
    /// a <see cref="RingClientException"/>; cancellation by <paramref name="cancellationToken"/>
    /// stays an <see cref="OperationCanceledException"/>.
    /// </summary>
    private async Task<TReply> CallAsync<TReply>(Func<Node, CallOptions, AsyncUnaryCall<TReply>> call, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        int attempts = _options.MaxAttempts == 0 ? _nodes.Length : _options.MaxAttempts;
        int start = Volatile.Read(ref _preferred);
        List<RingClientException>? failures = null;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0 && attempt % _nodes.Length == 0)
            {
                await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }

            int index = (start + attempt) % _nodes.Length;
            var node = _nodes[index];
            try
            {
                var options = new CallOptions(_headers, DateTime.UtcNow + _options.Timeout, cancellationToken);
                using var pending = call(node, options);
                var reply = await pending.ResponseAsync.ConfigureAwait(false);
                Volatile.Write(ref _preferred, index);
                return reply;
            }
            catch (RpcException failure) when (failure.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The call was canceled.", failure, cancellationToken);
            }
            catch (RpcException failure) when (failure.StatusCode == StatusCode.Unavailable)
            {
                (failures ??= []).Add(RingClientException.From(failure, node.Name));
            }
            catch (RpcException failure)
            {
                throw RingClientException.From(failure, node.Name);
            }
        }

        throw Unavailable(failures!);
    }

    private static RingUnavailableException Unavailable(List<RingClientException> failures)
    {
        string tried = string.Join("; ", failures.Select(f => $"{f.Node}: {f.InnerException?.Message ?? f.Message}"));
        return new RingUnavailableException($"No node answered ({failures.Count} tried): {tried}", failures);
    }

    /// <summary>One node: its name as configured and its channel, opened on first use.</summary>
    private sealed class Node(string name, Uri address, RingClientOptions options) : IDisposable
    {
        private readonly Lazy<GrpcChannel> _channel = new(() => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = options.MaxMessageBytes,
            MaxSendMessageSize = options.MaxMessageBytes,
            HttpHandler = new SocketsHttpHandler
            {
                // A node that does not accept the connection fails as UNAVAILABLE, within the
                // call's deadline, so that the next node still gets the call.
                ConnectTimeout = TimeSpan.FromTicks(Math.Min(options.Timeout.Ticks / 2, TimeSpan.TicksPerSecond * 5)),
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            },
        }));

        private RingKv.RingKvClient? _kv;
        private RingActors.RingActorsClient? _actors;

        public string Name { get; } = name;

        public RingKv.RingKvClient Kv => _kv ??= new RingKv.RingKvClient(_channel.Value);

        public RingActors.RingActorsClient Actors => _actors ??= new RingActors.RingActorsClient(_channel.Value);

        public void Dispose()
        {
            if (_channel.IsValueCreated)
            {
                _channel.Value.Dispose();
            }
        }
    }
}
