using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RingCore.Actors;
using RingCore.AntiEntropy;
using RingCore.Claim;
using RingCore.Diagnostics;
using RingCore.Handoff;
using RingCore.Hashing;
using RingCore.Membership;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Runtime;
using RingCore.Storage;
using RingCore.Transport;
using RingCore.VNodes;

namespace RingCore.Node;

/// <summary>
/// A RingCore node: the one composition root of the replicated store (get, put, delete), the
/// per-key actors and membership, over one <see cref="ITransport"/> (docs/architecture.md, the node
/// runtime). A node that runs alone is a one-member ring on the same code path as a member of
/// a cluster.
/// </summary>
/// <remarks>
/// <para>Inside: a <c>RingManager</c> with its <c>NodeWatcher</c> (the ring and who is up, one
/// routing view at a time), one <c>PeerRpc</c> (every node-to-node request), one table of
/// <c>VNode</c>s (one per partition held: store, replica id, actor table), the replication
/// service (coordinators and the replica side) and the actor router.</para>
/// <para>Start it with <see cref="StartAsync(RingNodeOptions, Action{ActorRegistry}?, RingNodeServices?, CancellationToken)"/>
/// to run alone, or with <see cref="StartAsync(RingNodeOptions, RingState, ITransport, Action{ActorRegistry}?, RingNodeServices?, CancellationToken)"/>
/// as a member of a cluster (the TestKit and ringd use that one). Dispose it to stop: actors
/// passivate (storing WriteBehind state), then the stores close.</para>
/// </remarks>
public sealed partial class RingNode : IActorDispatcher, IAsyncDisposable
{
    private readonly RingNodeOptions _options;
    private readonly ActorRegistry _actors;
    private readonly NodeWatcher _watcher;
    private readonly RingManager _routing;
    private readonly PeerRpc _rpc;
    private readonly VNodeTable _vnodes;
    private readonly ReplicationService _replication;
    private readonly ReplicatedActorStateStore _actorState;
    private readonly ActorRouter _router;
    private readonly MembershipService _membership;
    private readonly HandoffService _handoff;
    private readonly AntiEntropyService _antiEntropy;
    private readonly RingFileWriter? _ringFile;
    private readonly IWorkScheduler _scheduler;
    private readonly RingCoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string _incarnation;
    private long _activationSequence;
    private int _disposed;
    private Task<RingNodeStopResult>? _stopping;

    private RingNode(RingNodeOptions options, RingState ring, ITransport transport, ActorRegistry actors, RingNodeServices services)
    {
        _options = options;
        _actors = actors;
        Name = options.NodeName;
        Time = services.Time ?? TimeProvider.System;
        _scheduler = services.Scheduler ?? ThreadPoolWorkScheduler.Instance;
        _metrics = new RingCoreMetrics(Name, services.MeterFactory);
        _logger = (ILogger?)services.LoggerFactory?.CreateLogger(RingCoreMetrics.MeterName) ?? NullLogger.Instance;
        var random = services.Seed is { } seed ? new Random(seed) : new Random();

        // Request ids start at a random point per incarnation: a restarted node does not reuse
        // the ids its previous incarnation sent, which peers' duplicate windows may remember.
        long firstRequestId = random.NextInt64(0, 1L << 62);
        _incarnation = firstRequestId.ToString("x", CultureInfo.InvariantCulture);
        int targetN = Math.Min(options.TargetN, ring.PartitionCount);
        _rpc = new PeerRpc(transport, firstRequestId, Time, options.Peers, _metrics, _logger);
        _watcher = new NodeWatcher(Name, FailureDetectorFor(transport, (ulong)firstRequestId), ring);
        _routing = new RingManager(ring, Name, targetN, _watcher, _logger);
        _vnodes = new VNodeTable(Name, ring.PartitionCount, services.Storage ?? new MemoryVNodeStoreProvider(), random);
        _replication = new ReplicationService(Name, _routing, _rpc, _vnodes, Time, _scheduler,
            options.Replication.DefaultBucketFor(ring.Members.Length), targetN, _metrics, _logger, options.Replication.RetryPutCoordinatorFailure);
        _actorState = new ReplicatedActorStateStore(_replication);
        _router = new ActorRouter(Name, actors, _routing, _rpc, LocalActors, typeName => _replication.PropertiesOf(typeName).N);
        _membership = new MembershipService(Name, _routing, _rpc, _scheduler, Time, options.Membership, targetN, random, _metrics, _logger);
        _handoff = new HandoffService(Name, _routing, _membership, _rpc, _vnodes, _replication, _scheduler, Time, options.Handoff, _metrics, _logger);
        _antiEntropy = new AntiEntropyService(Name, _routing, _membership, _rpc, _vnodes, _replication, _scheduler, Time, options.AntiEntropy, _metrics, _logger);

        // A node that has left the ring serves nothing for the cluster any more (HasLeftRing): it
        // went on coordinating and storing writes by its last ring, and nodes that had left
        // together acknowledged a write among themselves that vanished when they stopped (issue 13's partition suite).
        _membership.Left += _replication.Stop;

        if (options.RingFile is { } ringFile)
        {
            _ringFile = new RingFileWriter(ringFile, Name, _logger, _metrics);
            _ringFile.Offer(ring);
            _routing.ViewChanged += view => _ringFile.Offer(view.Ring);
        }
    }

    /// <summary>This node's name.</summary>
    public string Name { get; }

    /// <summary>The ring this node routes by now.</summary>
    public RingState Ring => _routing.Ring;

    /// <summary>The clock of every timer on this node.</summary>
    public TimeProvider Time { get; }

    /// <inheritdoc cref="ActorRuntimeOptions.DefaultAskTimeout" />
    public TimeSpan DefaultAskTimeout => _options.Actors.DefaultAskTimeout;

    /// <summary>Actors active on this node now.</summary>
    public int ActiveActors => _vnodes.ActiveActors;

    /// <summary>The properties of buckets (and actor types) without their own.</summary>
    public BucketProperties Defaults => _replication.Defaults;

    /// <summary>The node watcher (for tests: who this node believes is up, and its failure detector).</summary>
    internal NodeWatcher Watcher => _watcher;

    /// <summary>The ring manager (for tests: swap a ring under load).</summary>
    internal RingManager Routing => _routing;

    /// <summary>The replicated store (for the routing benchmark).</summary>
    internal ReplicationService Replication => _replication;

    /// <summary>The node's instruments.</summary>
    internal RingCoreMetrics Metrics => _metrics;

    /// <summary>The node's request layer (for tests).</summary>
    internal PeerRpc Rpc => _rpc;

    /// <summary>Called when an activation on this node starts or ends (type, key, node, active); for the TestKit's activation monitor.</summary>
    internal Action<string, byte[], string, bool>? ActivationObserver { get; set; }

    /// <summary>
    /// Starts a node that runs alone: a one-member ring that owns every partition, with N = 1
    /// unless <see cref="ReplicationOptions.DefaultBucket"/> says otherwise. The storage provider
    /// checks its data before this returns (<see cref="IVNodeStoreProvider.AttachAsync"/>), so
    /// storage written with another partition count, or damaged, fails the start; each
    /// partition's store opens when a request or an actor first needs it.
    /// </summary>
    /// <param name="options">The node's settings; validated first.</param>
    /// <param name="configureActors">Defines the actor types the node hosts; none when null.</param>
    /// <param name="services">Storage, scheduler, clock, logging, metrics; the defaults when null.</param>
    /// <param name="cancellationToken">Cancels checking the storage.</param>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it), or the storage holds a ring of another size.</exception>
    /// <exception cref="StorageCorruptedException">The storage's files are missing or damaged (the exception names the file).</exception>
    public static Task<RingNode> StartAsync(RingNodeOptions options, Action<ActorRegistry>? configureActors = null, RingNodeServices? services = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var ring = RingClaim.Initial(options.PartitionCount, [options.NodeName]).Ring;
        return StartAsync(options, ring, new LoopbackTransport(options.NodeName), configureActors, services, cancellationToken);
    }

    /// <summary>
    /// Starts a member of a cluster: <paramref name="ring"/> places keys and actors, and
    /// <paramref name="transport"/> carries every message to the other members. The storage
    /// provider checks its data before this returns (<see cref="IVNodeStoreProvider.AttachAsync"/>);
    /// each partition's store, owned or held as a fallback, opens when a request first needs it.
    /// </summary>
    /// <param name="options">The node's settings; <see cref="RingNodeOptions.NodeName"/> must be a member of the ring and the transport's node.</param>
    /// <param name="ring">The ring; every member of a cluster starts with the same one.</param>
    /// <param name="transport">This node's transport; the node attaches itself as its receiver (the node does not dispose it).</param>
    /// <param name="configureActors">Defines the actor types; every node of the cluster must define the same ones.</param>
    /// <param name="services">Storage, scheduler, clock, logging, metrics; the defaults when null.</param>
    /// <param name="cancellationToken">Cancels checking the storage.</param>
    /// <exception cref="ArgumentException">A setting is invalid, the node, the ring and the transport do not agree, or the storage holds a ring of another size.</exception>
    /// <exception cref="StorageCorruptedException">The storage's files are missing or damaged (the exception names the file).</exception>
    public static async Task<RingNode> StartAsync(RingNodeOptions options, RingState ring, ITransport transport, Action<ActorRegistry>? configureActors = null,
        RingNodeServices? services = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(transport);
        options.Validate();
        if (transport.LocalNode != options.NodeName)
        {
            throw new ArgumentException($"The transport belongs to '{transport.LocalNode}', not to RingCore:NodeName '{options.NodeName}'.", nameof(transport));
        }

        if (ring.IndexOfMember(options.NodeName) < 0)
        {
            throw new ArgumentException($"RingCore:NodeName '{options.NodeName}' is not a member of the ring ({string.Join(", ", ring.Members.Select(m => m.Name))}).", nameof(options));
        }

        if (options.PartitionCount != ring.PartitionCount)
        {
            throw new ArgumentException(
                $"RingCore:PartitionCount is {options.PartitionCount}, but the ring has {ring.PartitionCount} partitions.", nameof(options));
        }

        var actors = new ActorRegistry();
        configureActors?.Invoke(actors);
        CheckPassivation(options, actors);
        services ??= new RingNodeServices();
        var node = new RingNode(options, ring, transport, actors, services);
        try
        {
            // The provider checks its data against the ring (Q) and its files before any
            // partition opens; the stores themselves open when a request first needs them, so a
            // start costs nothing per partition (issue 12: 1,024 FASTER stores took 40 s and 3.4 GB).
            await node._vnodes.AttachAsync(new VNodeStoreLayout(node.Name, ring.PartitionCount, node._logger), cancellationToken).ConfigureAwait(false);
            int self = ring.IndexOfMember(options.NodeName);
            int owned = 0;
            for (int partition = 0; partition < ring.PartitionCount; partition++)
            {
                if (ring.OwnerOf(partition) == self)
                {
                    owned++;
                }
            }

            RingCoreLog.NodeStarted(node._logger, node.Name, ring.PartitionCount, ring.Members.Length, owned);
            node._handoff.Kick(); // data from an earlier run that belongs elsewhere, transfers to resume
            node._antiEntropy.Kick(); // the trees of the stores kept from an earlier run are built from a fold
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return node;
    }

    /// <summary>
    /// Where the node's up/down view comes from (<see cref="FailureDetectionOptions.Mode"/>): by
    /// default heartbeats through the node's request layer, judged by a phi-accrual detector per
    /// member; or the transport's own reachability. Made after <see cref="_rpc"/>, whose service
    /// the heartbeats are; <paramref name="incarnation"/> tells peers this start from the last.
    /// </summary>
    private IFailureDetector FailureDetectorFor(ITransport transport, ulong incarnation) =>
        _options.FailureDetection.Mode == FailureDetectionMode.TransportReachability
            ? new TransportFailureDetector(transport)
            : new HeartbeatFailureDetector(Name, incarnation, _rpc, Time, _options.FailureDetection, _metrics, _logger);

    /// <summary>
    /// A cross-field rule (Orleans' collection age against its quantum): an idle actor passivates
    /// on the first sweep after its idle timeout, so a sweep slower than a type's timeout keeps
    /// its idle actors in memory up to a sweep longer than the type asked for.
    /// </summary>
    private static void CheckPassivation(RingNodeOptions options, ActorRegistry actors)
    {
        var sweep = options.Actors.PassivationSweepInterval;
        foreach (var type in actors.Types)
        {
            if (type.IdleTimeout < sweep)
            {
                throw new ArgumentException(
                    $"RingCore:Actors:PassivationSweepInterval ({sweep}) must be at most the idle timeout of every actor type: " +
                    $"'{type.Name}' passivates after {type.IdleTimeout}. Sweep more often, or let '{type.Name}' stay idle longer.");
            }
        }
    }

    /// <summary>The actor of type <paramref name="typeName"/> with the UTF-8 bytes of <paramref name="key"/> as its key.</summary>
    /// <exception cref="ArgumentException">Unknown type, or a key that is empty or too long.</exception>
    public ActorRef GetActor(string typeName, string key)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(key);
        return GetActor(typeName, Encoding.UTF8.GetBytes(key));
    }

    /// <summary>The actor of type <paramref name="typeName"/> and key <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">Unknown type, or a key that is empty or too long.</exception>
    public ActorRef GetActor(string typeName, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var type = _actors.Get(typeName);
        int limit = StorageLimits.MaxKeyBytes - type.NameBytes.Length - 1;
        if (key.IsEmpty || key.Length > limit)
        {
            throw new ArgumentException($"An actor key must be 1 to {limit} bytes (got {key.Length}).", nameof(key));
        }

        return new ActorRef(this, new ActorAddress(type, key.ToArray(), KeyPosition.Of(type.Seed, key)));
    }

    /// <summary>The node this node routes <paramref name="actor"/>'s messages to now, by its view of who is up.</summary>
    /// <exception cref="ActorUnavailableException">No node that may host the actor is reachable.</exception>
    public string HostOf(ActorRef actor)
    {
        var address = actor.Address ?? throw new ArgumentException("This ActorRef is default; get one from RingNode.GetActor.", nameof(actor));
        int partition = Ring.PartitionOf(address.Position);
        return _router.HostOf(address.Type, partition) ?? throw _router.Unavailable(address, partition);
    }

    /// <summary>
    /// Stops the node: refuses new messages and requests, lets every actor drain its queued
    /// messages and store its state, all actors at once, until <see cref="RingNodeOptions.ShutdownTimeout"/>
    /// or <paramref name="cancellationToken"/>, whichever comes first; then fails what is still
    /// queued, closes (and flushes) every store, and reports what it could not finish. It never
    /// throws for an actor or a store: what went wrong is in the result and the log (event 4008).
    /// Every caller, this one's or <see cref="DisposeAsync"/>'s, waits for the one stop.
    /// </summary>
    /// <param name="cancellationToken">Cuts the wait for actors short (a host's stop timeout); the stores still close.</param>
    public Task<RingNodeStopResult> StopAsync(CancellationToken cancellationToken = default)
    {
        // Every caller waits for the one stop: a second call that returned at once would let its
        // caller reopen the stores while the first still closes them.
        var stopping = new TaskCompletionSource<RingNodeStopResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Interlocked.CompareExchange(ref _stopping, stopping.Task, null);
        if (running is not null)
        {
            return running;
        }

        Volatile.Write(ref _disposed, 1);
        _ = RunStopAsync(stopping, cancellationToken);
        return stopping.Task;
    }

    /// <summary>Stops the node as <see cref="StopAsync"/> does, with its deadline; never throws. Calling it again waits for the same stop.</summary>
    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>The deadline of a stop: <see cref="RingNodeOptions.ShutdownTimeout"/> on the wall clock, or <paramref name="cancellationToken"/>, whichever comes first.</summary>
    private CancellationTokenSource StopDeadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_options.ShutdownTimeout != Timeout.InfiniteTimeSpan)
        {
            deadline.CancelAfter(_options.ShutdownTimeout);
        }

        return deadline;
    }

    private async Task RunStopAsync(TaskCompletionSource<RingNodeStopResult> stopping, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        RingNodeStopResult result;
        _handoff.Dispose(); // no transfer or hint starts from now on; one in flight ends in its timeout
        _antiEntropy.Dispose();
        _membership.Dispose();
        try
        {
            using var deadline = StopDeadline(cancellationToken);

            // Actors first, while peers and stores still serve: passivation stores state
            // through the replicated store. The stores close whatever the deadline did.
            var outcome = await _vnodes.StopAsync(deadline.Token).ConfigureAwait(false);
            result = new RingNodeStopResult(outcome.Unfinished, outcome.Errors, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception exception)
        {
            result = new RingNodeStopResult([], [exception], Stopwatch.GetElapsedTime(started)); // a runtime bug: reported, not thrown
        }

        if (result.UnfinishedActors.Count > 0)
        {
            RingCoreLog.StopUnfinished(_logger, Name, result.UnfinishedActors.Count, string.Join(", ", result.UnfinishedActors.Take(10)));
        }

        foreach (var error in result.Errors.Where(error => error is not TimeoutException))
        {
            RingCoreLog.StopFailed(_logger, error, Name);
        }

        _replication.Stop();
        _rpc.Dispose();
        _watcher.Stop();
        if (_ringFile is not null)
        {
            await _ringFile.FlushAsync().ConfigureAwait(false);
        }

        RingCoreLog.NodeStopped(_logger, Name);
        _metrics.Dispose();
        stopping.SetResult(result);
    }

    /// <summary>
    /// Passivates every actor, storing WriteBehind state, while the node goes on serving its
    /// replicas: the first half of a stop, for a cluster whose nodes all stop at once (the
    /// TestKit), so no node closes its stores while another's actors still write through it.
    /// </summary>
    internal async ValueTask<RingNodeStopResult> StopActorsAsync()
    {
        long started = Stopwatch.GetTimestamp();
        using var deadline = StopDeadline(CancellationToken.None);

        var outcome = await _vnodes.StopActorsAsync(deadline.Token).ConfigureAwait(false);
        return new RingNodeStopResult(outcome.Unfinished, outcome.Errors, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Drops this node the way a crash does (for the TestKit): no actor is passivated and no
    /// WriteBehind state is stored; it serves and coordinates nothing from now on, and its
    /// stores are left open and untouched for the next incarnation.
    /// </summary>
    internal void Halt()
    {
        if (Interlocked.CompareExchange(ref _stopping, Task.FromResult(new RingNodeStopResult([], [], TimeSpan.Zero)), null) is not null)
        {
            return;
        }

        Volatile.Write(ref _disposed, 1);

        _rpc.Halt();
        _handoff.Dispose();
        _antiEntropy.Dispose();
        _membership.Dispose();
        _replication.Stop();
        _vnodes.Halt();
        _watcher.Stop();
    }

    void IActorDispatcher.Deliver(ActorAddress address, in Envelope envelope)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _router.Deliver(address, envelope);
    }

    bool IActorDispatcher.ShouldHost(ActorType type, int partition) => _router.HostOf(type, partition) == Name;

    long IActorDispatcher.ViewEpoch() => _routing.Current.Epoch;

    string IActorDispatcher.NextActivationId() => $"{Name}/{_incarnation}/{Interlocked.Increment(ref _activationSequence)}";

    /// <summary>For tests: called with an actor's type and key when it has closed its mailbox to passivate and not yet left its vnode.</summary>
    internal Action<string, string>? MailboxClosedProbe { get; set; }

    void IActorDispatcher.MailboxClosed(ActorActivation activation) => MailboxClosedProbe?.Invoke(activation.Type.Name, activation.KeyText);

    void IActorDispatcher.ObserveActivation(ActorActivation activation, bool active) =>
        ActivationObserver?.Invoke(activation.Type.Name, activation.Key, Name, active);

    private ActorTable LocalActors(int partition) =>
        (ActorTable)_vnodes.Get(partition).ActorsOrAdd(
            static (vnode, node) => new ActorTable(vnode.Partition, node._actorState, node, node._scheduler, node.Time, node._options.Actors,
                node._metrics, node._logger),
            this);
}
