using System.Diagnostics.Metrics;
using RingCore.Actors;
using RingCore.Claim;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Runtime;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.TestKit;

/// <summary>
/// M nodes in one process on a <see cref="SimulatedNetwork"/>, each a <see cref="RingNode"/>
/// started through its public start API with in-memory stores (and, when actor types are
/// given, hosting replicated per-key actors), which a test can split, heal, crash, restart and
/// wipe (the Orleans TestCluster's role; issue 4, TestKit).
/// </summary>
/// <remarks>
/// A node's stores survive <see cref="Crash"/> and <see cref="Restart"/> the way a persistent
/// store survives a process restart; <see cref="Wipe"/> restarts a node with empty stores, as
/// after a lost disk. Node names are <c>n1</c> .. <c>nM</c>.
/// <para>Given a single-threaded scheduler and a virtual clock, the whole cluster runs in one
/// seeded order: the network delivers on the scheduler, delays and timeouts run on the clock, and
/// coordinators resume on the scheduler, so a run replays exactly from its seed (docs/architecture.md,
/// testing architecture; <see cref="NetworkStatistics.DeliveryLogHash"/> shows it).</para>
/// </remarks>
public sealed partial class TestCluster : IAsyncDisposable
{
    private readonly Dictionary<string, IVNodeStoreProvider> _stores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RingNode> _nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _crashed = new(StringComparer.Ordinal);
    private readonly Action<ActorRegistry>? _configureActors;
    private readonly RingNodeOptions? _nodeOptions;
    private readonly Dictionary<string, int> _starts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BucketProperties> _buckets = new(StringComparer.Ordinal);
    private readonly HashSet<string> _left = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Func<string, IVNodeStoreProvider> _storage;

    /// <summary>Starts <paramref name="members"/> nodes on a ring of <paramref name="ringSize"/> partitions.</summary>
    /// <param name="members">How many nodes, at least 1.</param>
    /// <param name="ringSize">Partitions in the ring (Q): a power of two from 8 to 65536.</param>
    /// <param name="nVal">Replicas per key of the default bucket properties (N); R and W become min(2, N).</param>
    /// <param name="seed">Seeds the network's faults and every node's replica-id nonces.</param>
    /// <param name="time">The clock of the network and the nodes; the system clock when null.</param>
    /// <param name="defaults">The default bucket properties; derived from <paramref name="nVal"/> when null.</param>
    /// <param name="scheduler">Where the network delivers, coordinators resume and mailbox turns run; the thread pool when null.</param>
    /// <param name="configureActors">The actor types every node hosts; none when null.</param>
    /// <param name="nodeOptions">Settings of every node (its name, partition count, target_n and default bucket are the cluster's); the defaults when null.</param>
    /// <param name="meterFactory">Where every node's <c>RingCore</c> meter comes from; <see cref="Metrics"/> when null.</param>
    /// <param name="storage">Makes a node's storage from its name (its first start, or a join); in-memory stores when null. <see cref="Wipe"/> always gives memory stores.</param>
    public TestCluster(int members, int ringSize = 64, int nVal = 3, int seed = 1, TimeProvider? time = null, BucketProperties? defaults = null,
        IWorkScheduler? scheduler = null, Action<ActorRegistry>? configureActors = null, RingNodeOptions? nodeOptions = null,
        IMeterFactory? meterFactory = null, Func<string, IVNodeStoreProvider>? storage = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1);
        _configureActors = configureActors;
        _nodeOptions = nodeOptions;
        _storage = storage ?? (static _ => new MemoryVNodeStoreProvider());
        MeterFactory = meterFactory ?? Metrics;
        ActorTypes = new ActorRegistry();
        configureActors?.Invoke(ActorTypes);
        Seed = seed;
        Time = time ?? TimeProvider.System;
        Scheduler = scheduler ?? ThreadPoolWorkScheduler.Instance;
        Network = new SimulatedNetwork(seed, Time, Scheduler);
        var names = Enumerable.Range(1, members).Select(i => $"n{i}").ToArray();
        int quorum = Math.Min(2, nVal);
        Defaults = defaults ?? new BucketProperties { N = nVal, R = quorum, W = quorum };
        TargetN = Math.Max(nVal, Math.Min(ClaimOptions.Default.TargetN, members));
        InitialRing = RingClaim.Initial(ringSize, names, new ClaimOptions { TargetN = TargetN }).Ring;
        foreach (var name in names)
        {
            _stores[name] = _storage(name);
            Start(name, InitialRing);
        }
    }

    /// <summary>Where the nodes' meters come from.</summary>
    public IMeterFactory MeterFactory { get; }

    /// <summary>The cluster's meter and its counters' totals by node (unless another meter factory was given).</summary>
    public ClusterMetrics Metrics { get; } = new();

    /// <summary>The actor types the nodes host (empty without actors).</summary>
    internal ActorRegistry ActorTypes { get; }

    /// <summary>Where actors are active across the cluster, and whether an actor ever had two activations at once.</summary>
    public ActivationMonitor Activations { get; } = new();

    /// <summary>The simulated network: set its <see cref="SimulatedNetwork.Faults"/> to drop, duplicate or delay messages.</summary>
    public SimulatedNetwork Network { get; }

    /// <summary>The ring the cluster started with.</summary>
    public RingState InitialRing { get; }

    /// <summary>
    /// The ring of the first node (by name) that is up and in the cluster: the ring every node uses
    /// once the cluster has settled (<see cref="AwaitSettledAsync"/>). A node that left the ring, or
    /// whose join never got through (alone in a ring of its own), is not in the cluster.
    /// </summary>
    public RingState Ring
    {
        get
        {
            lock (_lock)
            {
                foreach (var name in _nodes.Keys.Order(StringComparer.Ordinal))
                {
                    var node = _nodes[name];
                    if (!_crashed.Contains(name) && !_left.Contains(name) && !node.HasLeftRing && node.Ring.ClusterId == InitialRing.ClusterId)
                    {
                        return node.Ring;
                    }
                }

                return InitialRing;
            }
        }
    }

    /// <summary>The clock of the network and the nodes.</summary>
    public TimeProvider Time { get; }

    /// <summary>Where the network delivers and the nodes' coordinators resume.</summary>
    public IWorkScheduler Scheduler { get; }

    /// <summary>The seed the cluster was created with.</summary>
    public int Seed { get; }

    /// <summary>The default bucket properties of every node.</summary>
    public BucketProperties Defaults { get; }

    /// <summary>The ring's target_n, the largest N a bucket may use.</summary>
    public int TargetN { get; }

    /// <summary>The names of the members of <see cref="Ring"/>: <c>n1</c> .. <c>nM</c> at the start, then as joins, leaves and removes change them.</summary>
    public IReadOnlyList<string> Members => Ring.Members.Select(m => m.Name).ToArray();

    /// <summary>Every node started in this cluster that has not left it, crashed or not, by name.</summary>
    public IReadOnlyList<string> Nodes
    {
        get
        {
            lock (_lock)
            {
                return [.. _nodes.Keys.Where(name => !_left.Contains(name)).Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The current (latest started) incarnation of node <paramref name="name"/>, crashed or not.</summary>
    /// <exception cref="KeyNotFoundException">No node has that name.</exception>
    public RingNode Node(string name)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(name, out var node) ? node : throw new KeyNotFoundException($"No node '{name}' in the cluster ({string.Join(", ", _nodes.Keys)}).");
        }
    }

    /// <summary>Node <paramref name="name"/>, where actors are reached with <see cref="RingNode.GetActor(string, string)"/>; it must be up.</summary>
    /// <exception cref="KeyNotFoundException">No node has that name.</exception>
    /// <exception cref="InvalidOperationException">The cluster was created without actor types, or the node is crashed.</exception>
    public RingNode Actors(string name)
    {
        if (_configureActors is null)
        {
            throw new InvalidOperationException("This cluster hosts no actors: pass configureActors to the TestCluster constructor.");
        }

        lock (_lock)
        {
            if (!_nodes.TryGetValue(name, out var node))
            {
                throw new KeyNotFoundException($"No node '{name}' in the cluster ({string.Join(", ", _nodes.Keys)}).");
            }

            return _crashed.Contains(name)
                ? throw new InvalidOperationException($"Node '{name}' is crashed: its actors died with it; Restart it first.")
                : node;
        }
    }

    /// <summary>Sets <paramref name="bucket"/>'s properties on every node (for an actor type, the bucket of its name).</summary>
    public void ConfigureBucket(string bucket, BucketProperties properties)
    {
        lock (_lock)
        {
            _buckets[bucket] = properties; // nodes that join later get it too
        }

        foreach (var name in Nodes)
        {
            Node(name).ConfigureBucket(bucket, properties);
        }
    }

    /// <summary>Splits the network into the given sides (nodes not named form one more side).</summary>
    public void Partition(params IReadOnlyCollection<string>[] sides) => Network.Partition(sides);

    /// <summary>Cuts <paramref name="name"/> off from every other node.</summary>
    public void Isolate(string name) => Network.Isolate(name);

    /// <summary>Ends any partition.</summary>
    public void Heal() => Network.Heal();
}
