namespace RingCore.Transport;

/// <summary>
/// The transport of a node that has no peers (a one-member ring): every request it sends goes
/// to itself and is served in process by <see cref="PeerRpc"/>, so nothing is ever sent here.
/// </summary>
internal sealed class LoopbackTransport(string localNode) : ITransport
{
    public string LocalNode { get; } = localNode;

    public int MaxPayloadBytes => SimulatedNetwork.MaxPayloadBytes;

    public event Action? ReachabilityChanged
    {
        add { }
        remove { }
    }

    public void Attach(ITransportReceiver receiver) => ArgumentNullException.ThrowIfNull(receiver);

    public void Send(string node, ReadOnlyMemory<byte> payload) =>
        throw new ArgumentException($"Node '{node}' is not a member: '{LocalNode}' runs alone, on a ring of one member.", nameof(node));

    public bool IsReachable(string node) => node == LocalNode;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
