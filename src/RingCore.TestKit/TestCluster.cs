using System.Diagnostics.Metrics;
using RingCore.Actors;
using RingCore.Claim;
using RingCore.Membership;
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
                node.Halt(); // its activations are reported gone
                node.ActivationObserver = null; // and one that finishes loading in the halted incarnation afterwards is not one
            }
        }
    }

    /// <summary>Restarts a crashed node with the stores and the ring it had (a persistent store and ring file surviving a restart).</summary>
    public RingNode Restart(string name)
    {
        if (!Network.IsCrashed(name))
        {
            Crash(name);
        }

        return Start(name, Node(name).Ring);
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

        return Start(name, Node(name).Ring);
    }

    /// <summary>
    /// Starts each of <paramref name="names"/> as a new node, alone, with empty stores, has it ask
    /// a member to join (<see cref="RingNode.JoinAsync"/>), and commits the joins (riak-admin
    /// cluster join, plan, commit). Transfers then run; <see cref="AwaitSettledAsync"/> waits for them.
    /// </summary>
    /// <returns>The plan that was committed.</returns>
    public async Task<ClusterPlan> JoinAsync(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        string seed = UpMember();
        foreach (var name in names)
        {
            await StartAlone(name).JoinAsync(seed).ConfigureAwait(false);
        }

        return await CommitAsync().ConfigureAwait(false);
    }

    /// <summary>Stages a leave of <paramref name="name"/> and commits it; it hands off its partitions, then exits (see <see cref="AwaitSettledAsync"/>).</summary>
    public Task<ClusterPlan> LeaveAsync(string name) => StageAndCommitAsync(new ClusterChange(ClusterChangeKind.Leave, name));

    /// <summary>Stages a force-remove of <paramref name="name"/> (normally crashed) and commits it: its partitions are reassigned and filled from the other replicas.</summary>
    public Task<ClusterPlan> ForceRemoveAsync(string name) => StageAndCommitAsync(new ClusterChange(ClusterChangeKind.ForceRemove, name));

    /// <summary>Starts <paramref name="replacement"/> as a new node, has it ask to join, and commits a replace of <paramref name="name"/> by it.</summary>
    public async Task<ClusterPlan> ReplaceAsync(string name, string replacement)
    {
        var node = StartAlone(replacement);
        await node.JoinAsync(UpMember()).ConfigureAwait(false);
        return await StageAndCommitAsync(new ClusterChange(ClusterChangeKind.Replace, name, replacement)).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the cluster has settled: every node that is up and has not left holds the same
    /// ring, no transfer is pending, no member is leaving or exiting, no node is still sending,
    /// every node's failure detector agrees with the network on who is up, and no up node holds
    /// objects for primaries that are up (hinted handoff has finished; hints for a crashed primary
    /// stay). Nodes that left the ring are stopped. Runs on <see cref="Time"/>, so in a
    /// simulation the wait is virtual.
    /// </summary>
    /// <exception cref="TimeoutException">Not settled within <paramref name="timeout"/> (the message says what is left).</exception>
    public async Task AwaitSettledAsync(TimeSpan timeout)
    {
        long started = Time.GetTimestamp();
        while (true)
        {
            await StopLeftNodesAsync().ConfigureAwait(false);
            string? unsettled = Unsettled() ?? Disagreements() ?? await UndeliveredAsync().ConfigureAwait(false);
            if (unsettled is null)
            {
                return;
            }

            if (Time.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"The cluster did not settle within {timeout}: {unsettled}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), Time).ConfigureAwait(false);
        }
    }

    /// <summary>Objects an up node holds for others whose primaries are all up: hinted handoff has not finished (null when none).</summary>
    private async Task<string?> UndeliveredAsync()
    {
        foreach (var name in Nodes)
        {
            if (!Network.IsCrashed(name) && (await Node(name).MisplacedAsync(deliverableOnly: true).ConfigureAwait(false)) is { Count: > 0 } misplaced)
            {
                return $"{name} still holds {misplaced.Count} objects for primaries that are up (first in partition {misplaced[0].Partition})";
            }
        }

        return null;
    }

    /// <summary>Why the cluster has not settled (membership and transfers; hinted handoff is looked at by <see cref="AwaitSettledAsync"/>); null when it has.</summary>
    public string? Unsettled()
    {
        RingNode[] up;
        lock (_lock)
        {
            up = [.. _nodes.Values.Where(node => !_crashed.Contains(node.Name) && !_left.Contains(node.Name) && !node.HasLeftRing)];
        }

        var members = up.Where(node => node.Ring.IndexOfMember(node.Name) >= 0 && node.Ring.Members.Length > 1 || up.Length == 1).ToArray();
        if (members.Length == 0)
        {
            return "no node is up";
        }

        var ring = members[0].Ring;
        foreach (var node in members)
        {
            if (node.Ring.ContentHash != ring.ContentHash || !node.Ring.Vector.OrderBy(e => e.Key).SequenceEqual(ring.Vector.OrderBy(e => e.Key)))
            {
                return $"{node.Name} holds ring version {node.Ring.Version} and {members[0].Name} version {ring.Version}";
            }

            if (node.RunningTransfers > 0)
            {
                return $"{node.Name} is sending {node.RunningTransfers} transfers";
            }
        }

        if (ring.Transfers.Length > 0)
        {
            return $"{ring.Transfers.Length} transfers pending (first: partition {ring.Transfers[0].Partition} from {ring.Transfers[0].From} to {ring.Transfers[0].To})";
        }

        if (ring.Members.FirstOrDefault(m => m.Status != MemberStatus.Valid) is { } moving)
        {
            return $"{moving.Name} is {moving.Status}";
        }

        foreach (var member in ring.Members)
        {
            lock (_lock)
            {
                if (!_nodes.ContainsKey(member.Name) || _left.Contains(member.Name))
                {
                    return $"{member.Name} is a member but no node of the cluster";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The primaries of <paramref name="key"/> in <paramref name="bucket"/> (by <see cref="Ring"/>)
    /// whose own replica does not hold it: empty when every primary has it, whatever reads would repair.
    /// </summary>
    public async Task<IReadOnlyList<string>> PrimariesLackingAsync(string bucket, string key)
    {
        var lacking = new List<string>();
        foreach (var primary in Node(UpMember()).PrimariesOf(bucket, key))
        {
            if (await Node(primary).ReadReplicaAsync(bucket, System.Text.Encoding.UTF8.GetBytes(key)).ConfigureAwait(false) is null)
            {
                lacking.Add(primary);
            }
        }

        return lacking;
    }

    /// <summary>
    /// Objects that nodes hold although their ring says they should not (a fallback's hints not
    /// handed back, a former owner's leftovers), as "node: partition p, N objects"; empty once
    /// hinted and ownership handoff have finished. Crashed nodes are not looked at.
    /// </summary>
    public async Task<IReadOnlyList<string>> MisplacedObjectsAsync()
    {
        var found = new List<string>();
        foreach (var name in Nodes)
        {
            if (Network.IsCrashed(name))
            {
                continue;
            }

            foreach (var group in (await Node(name).MisplacedAsync().ConfigureAwait(false)).GroupBy(entry => entry.Partition))
            {
                found.Add($"{name}: partition {group.Key}, {group.Count()} objects");
            }
        }

        return found;
    }

    /// <summary>Starts <paramref name="name"/> as a new node with fresh storage, alone in a ring of its own, ready to join.</summary>
    private RingNode StartAlone(string name)
    {
        lock (_lock)
        {
            if (_nodes.ContainsKey(name) && !_left.Contains(name))
            {
                throw new InvalidOperationException($"'{name}' is already a node of the cluster.");
            }

            _left.Remove(name);
            _stores[name] = _storage(name);
            return Start(name, RingClaim.Initial(InitialRing.PartitionCount, [name]).Ring);
        }
    }

    private async Task<ClusterPlan> StageAndCommitAsync(ClusterChange change)
    {
        var node = Node(UpMember());
        await node.StageAsync(change).ConfigureAwait(false);
        return await CommitAsync().ConfigureAwait(false);
    }

    private async Task<ClusterPlan> CommitAsync()
    {
        var node = Node(UpMember());
        var plan = await node.PlanAsync().ConfigureAwait(false);
        await node.CommitAsync().ConfigureAwait(false);
        return plan;
    }

    /// <summary>The first member by name that is up, has not left, and holds the cluster's ring (a member just admitted may not have received it yet).</summary>
    private string UpMember()
    {
        var ring = Ring;
        lock (_lock)
        {
            foreach (var member in ring.Members)
            {
                if (_nodes.TryGetValue(member.Name, out var node) && !_crashed.Contains(member.Name) && !_left.Contains(member.Name)
                    && member.Status == MemberStatus.Valid && node.Ring.ClusterId == ring.ClusterId)
                {
                    return member.Name;
                }
            }
        }

        throw new InvalidOperationException("No valid member of the cluster is up.");
    }

    private async Task StopLeftNodesAsync()
    {
        List<RingNode> left;
        lock (_lock)
        {
            left = [.. _nodes.Values.Where(node => node.HasLeftRing && !_left.Contains(node.Name) && !_crashed.Contains(node.Name))];
            foreach (var node in left)
            {
                _left.Add(node.Name);
            }
        }

        foreach (var node in left)
        {
            await node.StopAsync().ConfigureAwait(false);
        }
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
            PartitionCount = InitialRing.PartitionCount,
            TargetN = TargetN,
            Actors = template.Actors,
            Peers = template.Peers,
            Membership = template.Membership,
            Handoff = template.Handoff,
            FailureDetection = template.FailureDetection,
            Replication = new ReplicationOptions { DefaultBucket = Defaults, RetryPutCoordinatorFailure = template.Replication.RetryPutCoordinatorFailure },
        };
    }

    private RingNode Start(string name, RingState ring)
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

            // Memory stores open at once, so the start completes synchronously (a simulation
            // needs that: it runs on one thread); another storage is waited for.
            var starting = RingNode.StartAsync(OptionsFor(name), ring, Network.Connect(name), _configureActors, services);
            var node = starting.GetAwaiter().GetResult();
            node.ActivationObserver = Activations.Observe;
            foreach (var (bucket, properties) in _buckets)
            {
                node.ConfigureBucket(bucket, properties);
            }

            _nodes[name] = node;
            _crashed.Remove(name);
            return node;
        }
    }
}
