using RingCore.Node;

namespace RingCore.Hosting;

/// <summary>
/// The node a host runs (registered by <c>AddRingCore</c>). Inject it anywhere, at any time: the
/// node itself exists only between the host's start and stop, and this is how to reach it.
/// </summary>
/// <remarks>
/// <para>After the host has started, <see cref="RingNode"/> is also resolvable directly from the
/// container (like Akka.Hosting's <c>ActorSystem</c>). Resolving it earlier fails, and the
/// container resolves every hosted service before it starts the first one, so a hosted service
/// or a service built at start should take this accessor and call <see cref="GetNodeAsync"/>
/// (like Akka.Hosting's <c>IRequiredActor&lt;T&gt;.GetAsync</c>) rather than take the node.</para>
/// </remarks>
public interface IRingNodeAccessor
{
    /// <summary>The running node.</summary>
    /// <exception cref="InvalidOperationException">The host has not started the node yet, its start failed, or the host stopped it.</exception>
    RingNode Node { get; }

    /// <summary>The node, once the host has started it: completes at once while it runs.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="InvalidOperationException">The node's start failed, or the host stopped it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled first.</exception>
    Task<RingNode> GetNodeAsync(CancellationToken cancellationToken = default);
}
