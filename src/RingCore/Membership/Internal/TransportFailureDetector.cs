using RingCore.Transport;

namespace RingCore.Membership;

/// <summary>
/// <see cref="FailureDetectionMode.TransportReachability"/>: up and down are what the transport
/// says (<see cref="ITransport.IsReachable"/>, looked at when it raises
/// <see cref="ITransport.ReachabilityChanged"/>, the way net_kernel's nodeup/nodedown reach
/// riak_core_node_watcher). On the simulated network that view is exact and immediate.
/// </summary>
internal sealed class TransportFailureDetector : IFailureDetector
{
    private readonly ITransport _transport;

    public TransportFailureDetector(ITransport transport)
    {
        _transport = transport;
        transport.ReachabilityChanged += OnReachabilityChanged;
    }

    public event Action? Changed;

    public bool IsUp(string member) => _transport.IsReachable(member);

    public void Watch(IReadOnlyList<string> members)
    {
        // The transport knows every node it can reach; nothing to set up per member.
    }

    public void Stop() => _transport.ReachabilityChanged -= OnReachabilityChanged;

    private void OnReachabilityChanged() => Changed?.Invoke();
}
