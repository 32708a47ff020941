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
    private readonly Lock _lock = new();

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
    public TestCluster(int members, int ringSize = 64, int nVal = 3, int seed = 1, TimeProvider? time = null, BucketProperties? defaults = null,
        IWorkScheduler? scheduler = null, Action<ActorRegistry>? configureActors = null, RingNodeOptions? nodeOptions = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1);
        _configureActors = configureActors;
        _nodeOptions = nodeOptions;
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
        Ring = RingClaim.Initial(ringSize, names, new ClaimOptions { TargetN = TargetN }).Ring;
        foreach (var name in names)
        {
            _stores[name] = new MemoryVNodeStoreProvider();
            Start(name);
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

    /// <summary>The ring every node uses.</summary>
    public RingState Ring { get; }

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

    /// <summary>The names of the nodes, <c>n1</c> .. <c>nM</c>.</summary>
    public IReadOnlyList<string> Members => Ring.Members.Select(m => m.Name).ToArray();

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
        foreach (var name in Members)
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

    /// <summary>
    /// Crashes a node: it neither sends nor receives until <see cref="Restart"/>, its actors die
    /// unsaved, and its requests in flight stop without touching its stores, which are kept. The
    /// other nodes notice through their failure detectors (<see cref="AwaitDetectionAsync"/>).
    /// </summary>
    public void Crash(string name)
    {
        Network.Crash(name);
        lock (_lock)
        {
            if (_nodes.TryGetValue(name, out var node) && _crashed.Add(name))
            {
                node.Halt();
            }
        }
    }

    /// <summary>Restarts a crashed node with the stores it had (a persistent store surviving a restart).</summary>
    public RingNode Restart(string name)
    {
        if (!Network.IsCrashed(name))
        {
            Crash(name);
        }

        return Start(name);
    }

    /// <summary>Restarts a node with empty stores, as after a lost disk (what riak_kv's KV679 is about).</summary>
    public RingNode Wipe(string name)
    {
        if (!Network.IsCrashed(name))
        {
            Crash(name);
        }

        lock (_lock)
        {
            _stores[name] = new MemoryVNodeStoreProvider();
        }

        return Start(name);
    }

    /// <summary>
    /// Stops every node that is up (passivating its actors, which stores WriteBehind state, while
    /// the network still runs), then disconnects every node.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        RingNode[] nodes;
        lock (_lock)
        {
            nodes = [.. _nodes.Values.Where(node => !_crashed.Contains(node.Name))];
        }

        // Every node's actors first, while every node still serves: a passivating actor's
        // WriteBehind state is written through the other nodes. Then the stores close.
        var failures = new List<Exception>();
        foreach (var node in nodes)
        {
            try
            {
                var stopped = await node.StopActorsAsync().ConfigureAwait(false);
                failures.AddRange(stopped.Errors);
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        foreach (var node in nodes)
        {
            try
            {
                var stopped = await node.StopAsync().ConfigureAwait(false);
                failures.AddRange(stopped.Errors);
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        lock (_lock)
        {
            foreach (var name in _nodes.Keys)
            {
                if (!Network.IsCrashed(name))
                {
                    Network.Crash(name);
                }
            }

            _nodes.Clear();
        }

        Metrics.Dispose();
        if (failures.Count > 0)
        {
            throw new AggregateException("Some nodes of the cluster stopped with errors.", failures);
        }
    }

    private RingNodeOptions OptionsFor(string name)
    {
        var template = _nodeOptions ?? new RingNodeOptions();
        return new RingNodeOptions
        {
            NodeName = name,
            PartitionCount = Ring.PartitionCount,
            TargetN = TargetN,
            Actors = template.Actors,
            Peers = template.Peers,
            FailureDetection = template.FailureDetection,
            Replication = new ReplicationOptions { DefaultBucket = Defaults },
        };
    }

    private RingNode Start(string name)
    {
        lock (_lock)
        {
            int start = _starts.GetValueOrDefault(name) + 1;
            _starts[name] = start;

            // Each incarnation gets its own seed, so a restart never repeats a nonce or a request id.
            int seed = (int)Hashing.XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes($"{Seed}/{name}/{start}"));
            var services = new RingNodeServices
            {
                Storage = _stores[name],
                Scheduler = Scheduler,
                Time = Time,
                MeterFactory = MeterFactory,
                Seed = seed,
            };

            // Memory stores open at once, so the start completes synchronously.
            var starting = RingNode.StartAsync(OptionsFor(name), Ring, Network.Connect(name), _configureActors, services);
            if (!starting.IsCompleted)
            {
                throw new InvalidOperationException($"Node '{name}' did not start synchronously on memory stores.");
            }

            var node = starting.GetAwaiter().GetResult();
            node.ActivationObserver = Activations.Observe;
            _nodes[name] = node;
            _crashed.Remove(name);
            return node;
        }
    }
}
