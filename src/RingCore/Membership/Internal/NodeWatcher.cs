using RingCore.Ring;
using RingCore.Transport;

namespace RingCore.Membership;

/// <summary>
/// Which members this node believes are up, and an epoch that moves on every change
/// (riak_core_node_watcher and its avsn). It is the only reader of
/// <see cref="ITransport.IsReachable"/>: it looks when the transport says reachability may have
/// changed, never per message, and whoever caches by its epoch (the routing view, the actors'
/// host cache, the vnodes' sweeps) sees every change.
/// </summary>
internal sealed class NodeWatcher
{
    private readonly ITransport _transport;
    private readonly Lock _lock = new();
    private bool[] _up = [];
    private string[] _members = [];
    private long _epoch;

    public NodeWatcher(ITransport transport, RingState ring)
    {
        _transport = transport;
        Watch(ring);
        transport.ReachabilityChanged += Refresh;
    }

    /// <summary>Raised after the up set changed (the epoch moved); outside the watcher's lock.</summary>
    public event Action? Changed;

    /// <summary>Moves on every change of the up set.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>The up flags of the members of the ring last watched, by member index, and the epoch they belong to.</summary>
    public (bool[] Up, long Epoch) Snapshot()
    {
        lock (_lock)
        {
            return ((bool[])_up.Clone(), _epoch);
        }
    }

    /// <summary>Watches the members of <paramref name="ring"/> from now on (a ring change may add or remove members).</summary>
    public void Watch(RingState ring)
    {
        bool changed;
        lock (_lock)
        {
            var members = new string[ring.Members.Length];
            for (int i = 0; i < members.Length; i++)
            {
                members[i] = ring.Members[i].Name;
            }

            _members = members;
            changed = Look();
        }

        if (changed)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Looks at reachability again (the transport said it may have changed).</summary>
    public void Refresh()
    {
        bool changed;
        lock (_lock)
        {
            changed = Look();
        }

        if (changed)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Stops listening to the transport.</summary>
    public void Stop() => _transport.ReachabilityChanged -= Refresh;

    private bool Look()
    {
        var up = new bool[_members.Length];
        for (int i = 0; i < up.Length; i++)
        {
            up[i] = _members[i] == _transport.LocalNode || _transport.IsReachable(_members[i]);
        }

        if (up.AsSpan().SequenceEqual(_up))
        {
            return false;
        }

        _up = up;
        _epoch++;
        return true;
    }
}
