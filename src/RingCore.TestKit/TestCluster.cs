using RingCore.Actors;
using RingCore.Claim;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Storage;
using RingCore.Transport;
using RingCore.VNodes;

namespace RingCore.TestKit;

/// <summary>
/// M nodes in one process on a <see cref="SimulatedNetwork"/>, each with its own
/// <see cref="ReplicaNode"/> and in-memory stores and, when actor types are given, a
/// <see cref="RingNode"/> hosting replicated per-key actors, which a test can split, heal, crash,
/// restart and wipe (the Orleans TestCluster's role; issue 4, TestKit).
/// </summary>
/// <remarks>
/// A node's stores survive <see cref="Crash"/> and <see cref="Restart"/> the way a persistent
/// store survives a process restart; <see cref="Wipe"/> restarts a node with empty stores, as
/// after a lost disk. Node names are <c>n1</c> .. <c>nM</c>.
/// <para>Given a single-threaded scheduler and a virtual clock, the whole cluster runs in one
/// seeded order: the network delivers on the scheduler, delays and timeouts run on the clock, and
/// coordinators resume on the scheduler, so a run replays exactly from its seed (DESIGN.md,
/// testing architecture; <see cref="NetworkStatistics.DeliveryLogHash"/> shows it).</para>
/// </remarks>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly Dictionary<string, IVNodeStoreProvider> _stores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReplicaNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RingNode> _actorNodes = new(StringComparer.Ordinal);
    private readonly Action<ActorRegistry>? _configureActors;
    private readonly RingNodeOptions? _actorOptions;
    private readonly Dictionary<string, int> _starts = new(StringComparer.Ordinal);
    private readonly List<ReplicaNode> _retired = [];
    private readonly Lock _lock = new();

    // Transport channels of every node: the same numbers on every node (TransportMultiplexer).
    private const byte ReplicaChannel = 1;
    private const byte ActorChannel = 2;

    /// <summary>Starts <paramref name="members"/> nodes on a ring of <paramref name="ringSize"/> partitions.</summary>
    /// <param name="members">How many nodes, at least 1.</param>
    /// <param name="ringSize">Partitions in the ring (Q): a power of two from 8 to 65536.</param>
    /// <param name="nVal">Replicas per key of the default bucket properties (N); R and W become min(2, N).</param>
    /// <param name="seed">Seeds the network's faults and every node's replica-id nonces.</param>
    /// <param name="time">The clock of the network and the nodes; the system clock when null.</param>
    /// <param name="defaults">The default bucket properties; derived from <paramref name="nVal"/> when null.</param>
    /// <param name="scheduler">Where the network delivers, coordinators resume and mailbox turns run; the thread pool when null.</param>
    /// <param name="configureActors">The actor types every node hosts; none (no <see cref="RingNode"/>s) when null.</param>
    /// <param name="actorOptions">Settings of every node's actor runtime (its name and partition count are the cluster's); the defaults when null.</param>
    public TestCluster(int members, int ringSize = 64, int nVal = 3, int seed = 1, TimeProvider? time = null, BucketProperties? defaults = null,
        IActorScheduler? scheduler = null, Action<ActorRegistry>? configureActors = null, RingNodeOptions? actorOptions = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1);
        _configureActors = configureActors;
        _actorOptions = actorOptions;
        ActorTypes = new ActorRegistry();
        configureActors?.Invoke(ActorTypes);
        Seed = seed;
        Time = time ?? TimeProvider.System;
        Scheduler = scheduler ?? ThreadPoolActorScheduler.Instance;
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
    public IActorScheduler Scheduler { get; }

    /// <summary>The seed the cluster was created with.</summary>
    public int Seed { get; }

    /// <summary>The default bucket properties of every node.</summary>
    public BucketProperties Defaults { get; }

    /// <summary>The ring's target_n, the largest N a bucket may use.</summary>
    public int TargetN { get; }

    /// <summary>The names of the nodes, <c>n1</c> .. <c>nM</c>.</summary>
    public IReadOnlyList<string> Members => Ring.Members.Select(m => m.Name).ToArray();

    /// <summary>The current (latest started) <see cref="ReplicaNode"/> of <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No node has that name.</exception>
    public ReplicaNode Node(string name)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(name, out var node) ? node : throw new KeyNotFoundException($"No node '{name}' in the cluster ({string.Join(", ", _nodes.Keys)}).");
        }
    }

    /// <summary>The current actor runtime of <paramref name="name"/>, where actors are reached with <see cref="RingNode.GetActor(string, string)"/>.</summary>
    /// <exception cref="KeyNotFoundException">No node has that name.</exception>
    /// <exception cref="InvalidOperationException">The cluster was created without actor types.</exception>
    public RingNode Actors(string name)
    {
        if (_configureActors is null)
        {
            throw new InvalidOperationException("This cluster hosts no actors: pass configureActors to the TestCluster constructor.");
        }

        lock (_lock)
        {
            if (_actorNodes.TryGetValue(name, out var node))
            {
                return node;
            }

            throw _nodes.ContainsKey(name)
                ? new InvalidOperationException($"Node '{name}' is crashed: its actors died with it; Restart it first.")
                : new KeyNotFoundException($"No node '{name}' in the cluster ({string.Join(", ", _nodes.Keys)}).");
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
    /// unsaved, and its requests in flight stop without touching its stores, which are kept.
    /// </summary>
    public void Crash(string name)
    {
        Network.Crash(name);
        lock (_lock)
        {
            if (_nodes.TryGetValue(name, out var node))
            {
                node.Halt();
            }

            if (_actorNodes.Remove(name, out var actors))
            {
                actors.Abandon();
            }
        }
    }

    /// <summary>Restarts a crashed node with the stores it had (a persistent store surviving a restart).</summary>
    public ReplicaNode Restart(string name)
    {
        if (!Network.IsCrashed(name))
        {
            Crash(name);
        }

        return Start(name);
    }

    /// <summary>Restarts a node with empty stores, as after a lost disk (what riak_kv's KV679 is about).</summary>
    public ReplicaNode Wipe(string name)
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
    /// Stops every node: actor runtimes first (passivating their actors, which stores WriteBehind
    /// state, while the network still runs), then every node's stores, those of earlier
    /// incarnations included, and disconnects the nodes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        ReplicaNode[] nodes;
        RingNode[] actorNodes;
        lock (_lock)
        {
            nodes = [.. _retired, .. _nodes.Values];
            actorNodes = [.. _actorNodes.Values];
            _retired.Clear();
            _nodes.Clear();
            _actorNodes.Clear();
        }

        foreach (var actorNode in actorNodes)
        {
            if (Network.IsCrashed(actorNode.Name))
            {
                actorNode.Abandon();
            }
            else
            {
                await actorNode.DisposeAsync().ConfigureAwait(false);
            }
        }

        foreach (var node in nodes)
        {
            if (!Network.IsCrashed(node.Name))
            {
                Network.Crash(node.Name);
            }

            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    private RingNodeOptions ActorOptionsFor(string name)
    {
        var template = _actorOptions ?? new RingNodeOptions();
        return new RingNodeOptions
        {
            NodeName = name,
            PartitionCount = Ring.PartitionCount,
            TurnMessageLimit = template.TurnMessageLimit,
            DefaultAskTimeout = template.DefaultAskTimeout,
            WriteBehindInterval = template.WriteBehindInterval,
            PassivationSweepInterval = template.PassivationSweepInterval,
            RemoteAskRetention = template.RemoteAskRetention,
        };
    }

    private ReplicaNode Start(string name)
    {
        lock (_lock)
        {
            // The crashed incarnation is closed when the cluster is: it receives nothing more,
            // and a memory store is the same object for the next incarnation anyway.
            if (_nodes.TryGetValue(name, out var previous))
            {
                _retired.Add(previous);
            }

            // The crashed incarnation's actors die with it, unsaved, as in a real crash.
            if (_actorNodes.Remove(name, out var previousActors))
            {
                previousActors.Abandon();
            }

            int start = _starts.GetValueOrDefault(name) + 1;
            _starts[name] = start;

            // Each incarnation gets its own seeded nonce source, so a restart never repeats one.
            var random = new Random((int)Hashing.XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes($"{Seed}/{name}/{start}")));
            // One connection per node, shared by the replicated store and the actors (channels 1 and 2).
            var channels = new TransportMultiplexer(Network.Connect(name));
            var node = new ReplicaNode(name, Ring, channels.Open(ReplicaChannel), _stores[name], Time, random, Defaults, TargetN, Scheduler);
            _nodes[name] = node;
            if (_configureActors is not null)
            {
                var options = ActorOptionsFor(name);
                var actorNode = RingNode.StartInCluster(options, _configureActors, node, channels.Open(ActorChannel), Scheduler, Time);
                actorNode.ActivationObserver = Activations.Observe;
                _actorNodes[name] = actorNode;
            }

            return node;
        }
    }
}
