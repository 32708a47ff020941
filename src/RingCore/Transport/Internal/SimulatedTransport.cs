namespace RingCore.Transport;

/// <summary>One node's endpoint on a <see cref="SimulatedNetwork"/>.</summary>
internal sealed class SimulatedTransport(SimulatedNetwork network, string localNode) : ITransport
{
    private ITransportReceiver? _receiver;

    public string LocalNode { get; } = localNode;

    public int MaxPayloadBytes => SimulatedNetwork.MaxPayloadBytes;

    /// <summary>Crashed or disconnected: sends and receives nothing (guarded by the network's lock).</summary>
    public bool IsCrashed { get; set; }

    public void Attach(ITransportReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        if (Interlocked.CompareExchange(ref _receiver, receiver, null) is not null)
        {
            throw new InvalidOperationException($"Node '{LocalNode}' already has a receiver attached.");
        }
    }

    public void Send(string node, ReadOnlyMemory<byte> payload)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        network.Send(this, node, payload);
    }

    public bool IsReachable(string node) => network.IsReachable(this, node);

    public event Action? ReachabilityChanged;

    /// <summary>Tells this endpoint's watcher that reachability may have changed (called outside the network's lock).</summary>
    public void NotifyReachabilityChanged() => ReachabilityChanged?.Invoke();

    public void Deliver(string from, byte[] payload) => Volatile.Read(ref _receiver)?.Receive(from, payload);

    public ValueTask DisposeAsync()
    {
        network.Disconnect(this);
        return ValueTask.CompletedTask;
    }
}
