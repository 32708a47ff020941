using RingCore.Node;
using RingCore.Transport;

namespace RingCore.Hosting;

/// <summary>
/// Starts the network a hosted node talks over (a transport such as RingCore.Grpc's, chosen by
/// its <c>Use*</c> verb, which registers one of these in the container). Without one, the host's
/// node runs alone on no network. The host starts the transport in its start, before the node,
/// and disposes it in its stop, after the node stopped.
/// </summary>
public interface IRingTransportFactory
{
    /// <summary>
    /// Starts the transport of the node <paramref name="options"/> describe and returns it once it
    /// can receive. Its <see cref="ITransport.LocalNode"/> becomes the node's name (it may differ
    /// from <see cref="RingNodeOptions.NodeName"/>: a port of 0 becomes the port bound).
    /// </summary>
    /// <param name="options">The node's options, bound and validated.</param>
    /// <param name="cancellationToken">Cancels the start (the host's start token).</param>
    /// <exception cref="ArgumentException">A setting of the transport is invalid; the message names it.</exception>
    Task<ITransport> StartAsync(RingNodeOptions options, CancellationToken cancellationToken);
}
