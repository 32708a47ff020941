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
    /// already running finish by the view they took. A ring that does not supersede the current
    /// one (<see cref="RingState.Supersedes"/>: by version vector, then version) is refused, so two
    /// swaps racing cannot move the node backwards; gossip installs the merge of both instead.
    /// </summary>
    /// <exception cref="ArgumentException">This node is not a member of <paramref name="ring"/>, or its partition count differs.</exception>
    /// <exception cref="InvalidOperationException">The ring does not supersede the current one.</exception>
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

            if (!ring.Supersedes(_ring))
            {
                throw new InvalidOperationException($"Ring version {ring.Version} does not supersede the current version {_ring.Version}.");
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

    /// <summary>
    /// Merges a ring a peer sent into the current one (<see cref="RingState.Reconcile"/>) and
    /// installs the result when it says more than the current ring; a ring of another cluster is
    /// installed outright only when it lists this node and either <paramref name="joining"/> is
    /// that cluster's id or this node never belonged to a cluster (its ring is still the one-member
    /// ring it started with: it asked to join, then restarted and forgot; issue 13's partition suite).
    /// </summary>
    /// <returns>What happened, and the merged ring (which may lack this node: it was removed).</returns>
    public (RingMerge Outcome, RingState Merged) Merge(RingState incoming, ulong? joining = null)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        RingState merged;
        lock (_lock)
        {
            var current = _ring;
            if (incoming.ClusterId != current.ClusterId || incoming.PartitionCount != current.PartitionCount)
            {
                bool fresh = current.Members.Length == 1 && current.Vector.Count == 0;
                if ((joining != incoming.ClusterId && !fresh) || incoming.PartitionCount != current.PartitionCount || incoming.IndexOfMember(_self) < 0)
                {
                    return (RingMerge.OtherCluster, current);
                }

                merged = incoming;
            }
            else
            {
                merged = RingState.Reconcile(current, incoming);
                if (!merged.Supersedes(current))
                {
                    return (RingMerge.Unchanged, current);
                }

                if (merged.IndexOfMember(_self) < 0)
                {
                    return (RingMerge.Removed, merged);
                }
            }

            _ring = merged;
        }

        _watcher.Watch(merged);
        RoutingView view;
        lock (_lock)
        {
            view = Install();
        }

        RingCoreLog.RingChanged(_logger, _self, merged.Version, merged.Members.Length);
        ViewChanged?.Invoke(view);
        return (RingMerge.Installed, merged);
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

/// <summary>What <see cref="RingManager.Merge"/> did with a ring a peer sent.</summary>
internal enum RingMerge
{
    /// <summary>The current ring already says everything the peer's does.</summary>
    Unchanged,

    /// <summary>The merged ring is installed.</summary>
    Installed,

    /// <summary>The merged ring no longer lists this node: it left or was removed; nothing was installed.</summary>
    Removed,

    /// <summary>The ring belongs to another cluster; ignored.</summary>
    OtherCluster,
}
