using RingCore.Ring;
using RingCore.Transport;

namespace RingCore.Membership;

/// <summary>
/// Which members this node believes are up, and an epoch that moves on every change
/// (riak_core_node_watcher and its avsn). Its view comes from one <see cref="IFailureDetector"/>:
/// by default the heartbeats' phi-accrual detector (<see cref="HeartbeatFailureDetector"/>), or
/// the transport's reachability (<see cref="TransportFailureDetector"/>). It looks when the
/// detector says something may have changed, never per message, and whoever caches by its epoch
/// (the routing view, the actors' host cache, the vnodes' sweeps) sees every change.
/// </summary>
internal sealed class NodeWatcher
{
    private readonly string _self;
    private readonly IFailureDetector _detector;
    private readonly Lock _lock = new();
    private bool[] _up = [];
    private string[] _members = [];
    private long _epoch;

    /// <summary>Watches <paramref name="ring"/>'s members through <paramref name="detector"/>, for node <paramref name="self"/> (always up).</summary>
    public NodeWatcher(string self, IFailureDetector detector, RingState ring)
    {
        _self = self;
        _detector = detector;
        Watch(ring);
        detector.Changed += Refresh;
    }

    /// <summary>Watches <paramref name="ring"/>'s members by the transport's reachability (<see cref="FailureDetectionMode.TransportReachability"/>).</summary>
    public NodeWatcher(ITransport transport, RingState ring)
        : this(transport.LocalNode, new TransportFailureDetector(transport), ring)
    {
    }

    /// <summary>Raised after the up set changed (the epoch moved); outside the watcher's lock.</summary>
    public event Action? Changed;

    /// <summary>Moves on every change of the up set.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>Where the up/down view comes from.</summary>
    internal IFailureDetector Detector => _detector;

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
            _detector.Watch(members); // a new member starts up; one no longer in the ring is forgotten
            changed = Look();
        }

        if (changed)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Looks at the detector again (it said some member may have changed).</summary>
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

    /// <summary>Stops listening to the detector, and stops the detector (its heartbeats and timers).</summary>
    public void Stop()
    {
        _detector.Changed -= Refresh;
        _detector.Stop();
    }

    private bool Look()
    {
        var up = new bool[_members.Length];
        for (int i = 0; i < up.Length; i++)
        {
            up[i] = _members[i] == _self || _detector.IsUp(_members[i]);
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
