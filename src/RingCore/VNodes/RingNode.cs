using System.Text;
using RingCore.Actors;
using RingCore.Claim;
using RingCore.Hashing;
using RingCore.Ring;
using RingCore.Storage;

namespace RingCore.VNodes;

/// <summary>
/// A node of the ring hosting per-key actors: one vnode per partition it owns, and the
/// dispatcher that routes an actor's (type, key) to its partition's vnode by the ring.
/// Started with <see cref="StartAsync"/>, a node is a one-member ring that owns every partition
/// and keeps actor state in its own stores; started with <see cref="StartInCluster"/>, it is one
/// member of a cluster whose actor state is replicated (RingNode.Cluster.cs).
/// </summary>
public sealed partial class RingNode : IActorDispatcher, IAsyncDisposable
{
    private readonly ActorRegistry _actors;
    private readonly VNode?[] _vnodes;
    private readonly RingNodeOptions _options;
    private readonly IActorScheduler _scheduler;
    private int _disposed;
    private long _activationSequence;
    private string _incarnation = "";

    private RingNode(RingNodeOptions options, RingState ring, ActorRegistry actors, VNode?[] vnodes, IActorScheduler scheduler, TimeProvider time)
    {
        _options = options;
        Ring = ring;
        _actors = actors;
        _vnodes = vnodes;
        _scheduler = scheduler;
        Time = time;
    }

    /// <summary>This node's name.</summary>
    public string Name => _options.NodeName;

    /// <summary>The ring this node routes by.</summary>
    public RingState Ring { get; }

    /// <summary>The clock of every timer on this node.</summary>
    public TimeProvider Time { get; }

    /// <inheritdoc cref="RingNodeOptions.DefaultAskTimeout" />
    public TimeSpan DefaultAskTimeout => _options.DefaultAskTimeout;

    /// <summary>Actors active on this node now.</summary>
    public int ActiveActors => _vnodes.Sum(v => v?.ActiveActors ?? 0);

    /// <summary>Starts a node: validates options, claims the ring, opens one store and vnode per owned partition.</summary>
    /// <param name="options">The node's settings; validated first.</param>
    /// <param name="configureActors">Defines the actor types the node hosts.</param>
    /// <param name="storage">Where partitions keep their data; memory when null.</param>
    /// <param name="scheduler">Where mailbox turns run; the thread pool when null.</param>
    /// <param name="time">The clock; the system clock when null (tests pass fake time).</param>
    /// <param name="cancellationToken">Cancels opening the stores.</param>
    public static async Task<RingNode> StartAsync(RingNodeOptions options, Action<ActorRegistry> configureActors,
        IVNodeStoreProvider? storage = null, IActorScheduler? scheduler = null, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configureActors);
        options.Validate();
        var actors = new ActorRegistry();
        configureActors(actors);
        storage ??= new MemoryVNodeStoreProvider();
        scheduler ??= ThreadPoolActorScheduler.Instance;
        time ??= TimeProvider.System;

        var ring = RingClaim.Initial(options.PartitionCount, [options.NodeName]).Ring;
        var vnodes = new VNode?[ring.PartitionCount];
        var node = new RingNode(options, ring, actors, vnodes, scheduler, time) { _incarnation = time.GetTimestamp().ToString("x", System.Globalization.CultureInfo.InvariantCulture) };
        int self = ring.IndexOfMember(options.NodeName);
        try
        {
            for (int partition = 0; partition < ring.PartitionCount; partition++)
            {
                if (ring.OwnerOf(partition) == self)
                {
                    var store = await storage.OpenAsync(partition, cancellationToken).ConfigureAwait(false);
                    vnodes[partition] = new VNode(partition, new VNodeActorStateStore(store), node, scheduler, time, options);
                }
            }
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return node;
    }

    /// <summary>The actor of type <paramref name="typeName"/> with the UTF-8 bytes of <paramref name="key"/> as its key.</summary>
    public ActorRef GetActor(string typeName, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return GetActor(typeName, Encoding.UTF8.GetBytes(key));
    }

    /// <summary>The actor of type <paramref name="typeName"/> and key <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">Unknown type, or a key that is empty or too long.</exception>
    public ActorRef GetActor(string typeName, ReadOnlySpan<byte> key)
    {
        var type = _actors.Get(typeName);
        int limit = StorageLimits.MaxKeyBytes - type.NameBytes.Length - 1;
        if (key.IsEmpty || key.Length > limit)
        {
            throw new ArgumentException($"An actor key must be 1 to {limit} bytes (got {key.Length}).", nameof(key));
        }

        return new ActorRef(this, new ActorAddress(type, key.ToArray(), KeyPosition.Of(type.Seed, key)));
    }

    /// <summary>Passivates every actor, storing WriteBehind state, and closes every store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        StopCluster();
        var failures = new List<Exception>();
        foreach (var vnode in _vnodes)
        {
            if (vnode is null)
            {
                continue;
            }

            try
            {
                await vnode.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("The node stopped with errors.", failures);
        }
    }

    /// <summary>
    /// Drops this node the way a crash does (for the TestKit): no actor is passivated and no
    /// WriteBehind state is stored; timers stop, and later messages are refused.
    /// </summary>
    internal void Abandon()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        StopCluster();
        lock (_vnodes)
        {
            foreach (var vnode in _vnodes)
            {
                if (vnode is not null)
                {
                    foreach (var activation in vnode.Abandon())
                    {
                        ActivationObserver?.Invoke(activation.Type.Name, activation.Key, Name, false);
                    }
                }
            }
        }
    }

    void IActorDispatcher.Deliver(ActorAddress address, in Envelope envelope)
    {
        if (_cluster is not null)
        {
            DeliverInCluster(address, envelope);
            return;
        }

        int partition = Ring.PartitionOf(address.Position);
        var vnode = _vnodes[partition]
            ?? throw new InvalidOperationException(
                $"Partition {partition} is owned by '{Ring.OwnerMemberOf(partition).Name}', not this node; remote delivery arrives with the transport.");
        address.Activation = vnode.Deliver(address.Type, address.Key, address.Position, envelope);
    }

    bool IActorDispatcher.ShouldHost(ActorType type, int partition) => _cluster is null || HostOf(type, partition) == Name;

    string IActorDispatcher.NextActivationId() => $"{Name}/{_incarnation}/{Interlocked.Increment(ref _activationSequence)}";

    void IActorDispatcher.ObserveActivation(ActorActivation activation, bool active) =>
        ActivationObserver?.Invoke(activation.Type.Name, activation.Key, Name, active);

    /// <summary>Called when an activation on this node starts or ends (type, key, node, active); for the TestKit's activation monitor.</summary>
    internal Action<string, byte[], string, bool>? ActivationObserver { get; set; }

    ulong IActorDispatcher.ReachabilityView() => _cluster is null ? 0 : ObserveView();
}
