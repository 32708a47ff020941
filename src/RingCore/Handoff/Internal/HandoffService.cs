using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RingCore.Diagnostics;
using RingCore.Membership;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Runtime;
using RingCore.Transport;
using RingCore.VNodes;

namespace RingCore.Handoff;

/// <summary>
/// Moves objects to the nodes that should hold them (riak_core_handoff_manager, _sender and
/// _receiver): ownership transfers and repairs the ring lists (<see cref="RingState.Transfers"/>),
/// and hinted handoff of everything this node holds that it should not (a fallback's copies, a
/// former owner's leftovers, an exiting member's data). Objects travel in batches through
/// <see cref="PeerRpc"/>; the receiver merges each as a replica put, so a batch sent twice, or a
/// transfer started again from the start, changes nothing the second time.
/// </summary>
/// <remarks>
/// <para>Who should hold an object is derived, not recorded: the first N owners from its
/// partition (N of its bucket, or of its actor type), and the node receiving an ownership
/// transfer of one of them. A vnode is looked at when something may have put such an object
/// there (a write sent to it as a fallback, a ring change, a start; <see cref="VNode.MisplacedMark"/>).</para>
/// <para>A misplaced object is sent to each of its primaries, and deleted here only when every
/// one of them acknowledged it and its stored bytes are still the ones sent; while a primary is
/// down, the object stays (it is that primary's hint).</para>
/// </remarks>
internal sealed partial class HandoffService : IPeerService, IThreadPoolWorkItem, IDisposable
{
    private readonly string _self;
    private readonly RingManager _routing;
    private readonly MembershipService _membership;
    private readonly PeerRpc _rpc;
    private readonly VNodeTable _vnodes;
    private readonly ReplicationService _replication;
    private readonly IWorkScheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly HandoffOptions _options;
    private readonly RingCoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly ConcurrentDictionary<PendingTransfer, Task> _running = new();
    private readonly ConcurrentDictionary<PendingTransfer, long> _retryAfter = new();
    private readonly TransferTracker _tracker;

    // What finished ownership transfers sent (partition, key, XXH64 of the bytes), waiting for
    // the ring to flip their partition: then each object still unchanged is dropped here without
    // being sent again, and only what changed since goes out with the next pass (the final delta).
    private readonly ConcurrentDictionary<PendingTransfer, List<(int Partition, ReadOnlyMemory<byte> Key, ulong Hash)>> _handedOff = new();
    private int _kicked;
    private int _sweeping;
    private int _sweepAgain;
    private long _ringVersionSeen;
    private volatile bool _stopped;

    public HandoffService(string self, RingManager routing, MembershipService membership, PeerRpc rpc, VNodeTable vnodes, ReplicationService replication,
        IWorkScheduler scheduler, TimeProvider time, HandoffOptions options, RingCoreMetrics metrics, ILogger logger)
    {
        _self = self;
        _routing = routing;
        _membership = membership;
        _rpc = rpc;
        _vnodes = vnodes;
        _replication = replication;
        _scheduler = scheduler;
        _time = time;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _ringVersionSeen = routing.Ring.Version;
        _tracker = new TransferTracker(self, time);
        rpc.Register(PeerFrame.BodyOneofCase.Handoff, this);
        routing.ViewChanged += OnViewChanged;
        _timer = time.CreateTimer(static state => ((HandoffService)state!).Kick(), this, options.Interval, options.Interval);
    }

    /// <summary>Transfers this node is sending now.</summary>
    public int RunningTransfers => _running.Count;

    /// <summary>Transfers this node is sending now, with their progress.</summary>
    public IReadOnlyList<TransferProgress> Progress() => _tracker.Snapshot();

    /// <summary>Ownership transfers and repairs this node finished since the start.</summary>
    public long CompletedTransfers => _tracker.Completed;

    /// <summary>Objects handed to other nodes (transfers and hints) since the start.</summary>
    public long ObjectsSent => Interlocked.Read(ref _objectsSent);

    private long _objectsSent;

    /// <summary>Looks for work soon, on the node's scheduler (a ring change, a node back up, the interval).</summary>
    public void Kick()
    {
        if (!_stopped && Interlocked.Exchange(ref _kicked, 1) == 0)
        {
            _scheduler.Schedule(this);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        Volatile.Write(ref _kicked, 0);
        if (_stopped || _membership.HasLeft)
        {
            return;
        }

        StartTransfers();
        if (!_options.HintedHandoff)
        {
            return;
        }

        if (Interlocked.Exchange(ref _sweeping, 1) == 0)
        {
            Volatile.Write(ref _sweepAgain, 0);
            _ = SweepAllAsync();
        }
        else
        {
            Volatile.Write(ref _sweepAgain, 1); // the pass running may have looked before what prompted this
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _routing.ViewChanged -= OnViewChanged;
        _timer.Dispose();
    }

    private void OnViewChanged(RoutingView view)
    {
        long seen = Interlocked.Exchange(ref _ringVersionSeen, view.Ring.Version);
        if (seen != view.Ring.Version)
        {
            // Owners may have moved: every vnode here may hold objects that now belong elsewhere,
            // and actors this node no longer hosts leave for their new home.
            _vnodes.MarkAllMisplaced();
            _vnodes.RehomeActors();
        }

        Kick();
    }
}
