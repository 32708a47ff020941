namespace RingCore.Transport;

/// <summary>
/// How a node sends messages to other nodes (docs/architecture.md: the transport seam). Delivery is not
/// guaranteed, as on any network: a message may be lost, delayed, duplicated or reordered, so
/// callers keep their own timeouts and make their messages safe to repeat. Two implementations
/// sit behind it: the simulated network for tests and gRPC over HTTP/2 (<c>GrpcTransport</c> in RingCore.Grpc).
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>This node's name on the network.</summary>
    string LocalNode { get; }

    /// <summary>Largest payload <see cref="Send"/> accepts.</summary>
    int MaxPayloadBytes { get; }

    /// <summary>Starts delivering incoming messages to <paramref name="receiver"/>; call once.</summary>
    /// <exception cref="InvalidOperationException">A receiver is already attached.</exception>
    void Attach(ITransportReceiver receiver);

    /// <summary>
    /// Sends <paramref name="payload"/> to <paramref name="node"/> and returns at once. An
    /// unreachable node loses the message silently, the way a network does.
    /// </summary>
    /// <exception cref="ArgumentException">The node is unknown to the network, or the payload is larger than <see cref="MaxPayloadBytes"/>.</exception>
    void Send(string node, ReadOnlyMemory<byte> payload);

    /// <summary>Whether this node currently believes it can reach <paramref name="node"/> (the transport's own view).</summary>
    /// <remarks>Read by the node's <c>NodeWatcher</c> only with <see cref="Membership.FailureDetectionMode.TransportReachability"/>,
    /// when <see cref="ReachabilityChanged"/> fires: never per message. By default a node judges
    /// who is up from heartbeats instead (<see cref="Membership.FailureDetectionOptions"/>).</remarks>
    bool IsReachable(string node);

    /// <summary>
    /// Raised after <see cref="IsReachable"/> may have changed for some node (a peer crashed,
    /// a partition began or healed, a node connected), the way net_kernel's nodeup/nodedown
    /// reach riak_core_node_watcher. A handler must be quick and must not throw.
    /// </summary>
    event Action? ReachabilityChanged;
}
