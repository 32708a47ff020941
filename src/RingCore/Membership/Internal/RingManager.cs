using Microsoft.Extensions.Logging;
using RingCore.Diagnostics;
using RingCore.Ring;

namespace RingCore.Membership;

/// <summary>
/// The ring this node routes by, and the view of who is up, as one <see cref="RoutingView"/>
/// swapped atomically (riak_core_ring_manager's role): a ring change (membership, later) or an
/// up/down change (the <see cref="NodeWatcher"/>) makes a new view; requests read the current
/// one once and route by it.
/// </summary>
internal sealed class RingManager
{
    private readonly NodeWatcher _watcher;
    private readonly string _self;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly int _targetN;
    private RingState _ring;
    private RoutingView _view;

    public RingManager(RingState ring, string self, int targetN, NodeWatcher watcher, ILogger logger)
    {
        _targetN = targetN;
        ring.RequireMember(self);
        _ring = ring;
        _self = self;
        _watcher = watcher;
        _logger = logger;
        _view = Build();
        watcher.Changed += OnViewChanged;
    }

    /// <summary>Raised after a new view was installed (outside the manager's lock).</summary>
    public event Action<RoutingView>? ViewChanged;

    /// <summary>The view requests route by now.</summary>
    public RoutingView Current => Volatile.Read(ref _view);

    /// <summary>The current ring.</summary>
    public RingState Ring => Current.Ring;

    /// <summary>
    /// Installs <paramref name="ring"/>: requests that start from now on route by it; those
    /// already running finish by the view they took. A ring older than the current one (by
    /// version) is refused, so two swaps racing cannot move the node backwards.
    /// </summary>
    /// <exception cref="ArgumentException">This node is not a member of <paramref name="ring"/>, or its partition count differs.</exception>
    /// <exception cref="InvalidOperationException">The ring's version is not newer than the current one's.</exception>
    public void Swap(RingState ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ring.RequireMember(_self);
        RoutingView view;
        lock (_lock)
        {
            if (ring.PartitionCount != _ring.PartitionCount)
            {
                throw new ArgumentException($"The new ring has {ring.PartitionCount} partitions and the current one {_ring.PartitionCount}; resizing a ring is not supported.", nameof(ring));
            }

            if (ring.Version <= _ring.Version)
            {
                throw new InvalidOperationException($"Ring version {ring.Version} is not newer than the current version {_ring.Version}.");
            }

            _ring = ring;
        }

        _watcher.Watch(ring); // a new member set: the watcher looks at it, and its change installs a view
        lock (_lock)
        {
            view = Install();
        }

        RingCoreLog.RingChanged(_logger, _self, ring.Version, ring.Members.Length);
        ViewChanged?.Invoke(view);
    }

    private void OnViewChanged()
    {
        RoutingView view;
        lock (_lock)
        {
            view = Install();
        }

        RingCoreLog.ViewChanged(_logger, _self, view.UpCount, view.Ring.Members.Length, view.Epoch);
        ViewChanged?.Invoke(view);
    }

    private RoutingView Install()
    {
        var view = Build();
        Volatile.Write(ref _view, view);
        return view;
    }

    private RoutingView Build()
    {
        var (up, epoch) = _watcher.Snapshot();
        if (up.Length != _ring.Members.Length)
        {
            // The watcher watches the previous ring's members (a swap is installing this one).
            up = new bool[_ring.Members.Length];
            up[_ring.IndexOfMember(_self)] = true;
        }

        return new RoutingView(_ring, _self, up, epoch, Math.Min(_targetN, _ring.PartitionCount));
    }
}
