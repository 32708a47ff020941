using System.Numerics;
using RingCore.Runtime;
using RingCore.Hashing;

namespace RingCore.Transport;

/// <summary>
/// Many nodes in one process on a network that misbehaves on purpose (docs/architecture.md, testing
/// architecture): seeded drops, duplicates and delays (which reorder), partitions into any split
/// of the nodes and their healing, and crashed nodes. Each node gets its transport from
/// <see cref="Connect"/>; a crashed node connects again when it restarts.
/// </summary>
/// <remarks>
/// <para>Every decision comes from one seeded <see cref="Random"/>, delays run on the given
/// <see cref="TimeProvider"/> and deliveries are queued on the given scheduler, so a simulation
/// that supplies a virtual clock and a single-threaded scheduler replays exactly from its seed;
/// <see cref="NetworkStatistics.DeliveryLogHash"/> says whether two runs delivered the same.</para>
/// <para>Reachability (<see cref="ITransport.IsReachable"/>) is exact here: the network knows who
/// is crashed or cut off. A node does not read it by default: its failure detector estimates it
/// from heartbeats, as over a real network (<see cref="Membership.FailureDetectionMode"/>); the
/// network decides only what is delivered. A node configured with
/// <see cref="Membership.FailureDetectionMode.TransportReachability"/> takes this exact view instead.</para>
/// <para>Payloads are copied at send, so no node shares memory with another, as over a wire.</para>
/// <para>Each delivery is queued with <see cref="IWorkScheduler.Yield"/>, after the work already
/// waiting: on the thread pool that is the global queue, so a fault-free link delivers in about
/// the order it was sent (only deliveries taken by two workers at once may swap), as a real link
/// does. A sending pool thread's own local queue would run its newest message first and leave the
/// older ones to other workers: a message sent after 10,000 others arrived before all of them.
/// The seeded <c>SimulationScheduler</c> picks among ready deliveries at random whatever the call.</para>
/// </remarks>
public sealed class SimulatedNetwork
{
    /// <summary>Largest payload a simulated transport accepts: a stored object's limit plus room for its envelope.</summary>
    public const int MaxPayloadBytes = 32 * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly IWorkScheduler _scheduler;
    private readonly Dictionary<string, SimulatedTransport> _endpoints = new(StringComparer.Ordinal);
    private readonly HashSet<Delivery> _delayed = [];
    private readonly Dictionary<(string From, string To), ulong> _linkSeeds = [];
    private Dictionary<string, int>? _sides;
    private int _unnamedSide; // the side of every node a partition did not name, including nodes that connect later
    private readonly Dictionary<string, TimeSpan> _slow = new(StringComparer.Ordinal);
    private NetworkFaults _faults = NetworkFaults.None;
    private long _sent, _delivered, _dropped, _duplicated, _undeliverable;
    private ulong _deliveryLogHash;

    /// <summary>Creates an empty network.</summary>
    /// <param name="seed">Seeds every random decision (drops, duplicates, delays).</param>
    /// <param name="time">The clock delays run on; the system clock when null.</param>
    /// <param name="scheduler">Where deliveries run; the thread pool when null.</param>
    public SimulatedNetwork(int seed, TimeProvider? time = null, IWorkScheduler? scheduler = null)
    {
        _random = new Random(seed);
        _time = time ?? TimeProvider.System;
        _scheduler = scheduler ?? ThreadPoolWorkScheduler.Instance;
    }

    /// <summary>How the network misbehaves from now on. Defaults to <see cref="NetworkFaults.None"/>.</summary>
    /// <exception cref="ArgumentException">A rate outside 0..1 or delays out of order.</exception>
    public NetworkFaults Faults
    {
        get => _faults;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _faults = value;
        }
    }

    /// <summary>What happened to the messages so far.</summary>
    public NetworkStatistics Statistics
    {
        get
        {
            lock (_lock)
            {
                return new NetworkStatistics(_sent, _delivered, _dropped, _duplicated, _undeliverable, _deliveryLogHash);
            }
        }
    }

    /// <summary>The transport of node <paramref name="node"/>: a new node, or a crashed one restarting.</summary>
    /// <exception cref="InvalidOperationException">The node is connected and not crashed.</exception>
    public ITransport Connect(string node)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        SimulatedTransport created;
        lock (_lock)
        {
            if (_endpoints.TryGetValue(node, out var existing) && !existing.IsCrashed)
            {
                throw new InvalidOperationException($"Node '{node}' is already connected to the simulated network; crash it before connecting it again.");
            }

            var transport = new SimulatedTransport(this, node);
            _endpoints[node] = transport;
            created = transport;
        }

        NotifyReachabilityChanged();
        return created;
    }

    /// <summary>Crashes <paramref name="node"/>: it sends and receives nothing until it connects again, and messages in flight to it are lost.</summary>
    public void Crash(string node)
    {
        lock (_lock)
        {
            Endpoint(node).IsCrashed = true;
        }

        NotifyReachabilityChanged();
    }

    /// <summary>Whether <paramref name="node"/> is crashed (or disconnected).</summary>
    public bool IsCrashed(string node)
    {
        lock (_lock)
        {
            return Endpoint(node).IsCrashed;
        }
    }

    /// <summary>
    /// Splits the network: nodes on different sides cannot exchange messages (including those
    /// already in flight). Nodes not named form one more side together, and so does a node that
    /// connects while the split lasts. Replaces any earlier split.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown node, or a node on two sides.</exception>
    public void Partition(params IReadOnlyCollection<string>[] sides)
    {
        ArgumentNullException.ThrowIfNull(sides);
        lock (_lock)
        {
            var assignment = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int side = 0; side < sides.Length; side++)
            {
                foreach (var node in sides[side])
                {
                    Endpoint(node);
                    if (!assignment.TryAdd(node, side))
                    {
                        throw new ArgumentException($"Node '{node}' is on two sides of the partition.", nameof(sides));
                    }
                }
            }

            _unnamedSide = sides.Length;
            _sides = assignment;
        }

        NotifyReachabilityChanged();
    }

    /// <summary>
    /// Delays every message <paramref name="node"/> sends by <paramref name="delay"/> on top of
    /// the faults' delay (a slow node or link: its replies arrive after everyone else's);
    /// <see cref="TimeSpan.Zero"/> makes it normal again.
    /// </summary>
    public void Slow(string node, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        lock (_lock)
        {
            Endpoint(node);
            if (delay == TimeSpan.Zero)
            {
                _slow.Remove(node);
            }
            else
            {
                _slow[node] = delay;
            }
        }
    }

    /// <summary>Cuts <paramref name="node"/> off from every other node.</summary>
    public void Isolate(string node) => Partition([node]);

    /// <summary>Ends any partition: every live node can reach every other again.</summary>
    public void Heal()
    {
        lock (_lock)
        {
            _sides = null;
        }

        NotifyReachabilityChanged();
    }

    /// <summary>Whether a message <paramref name="from"/> sends now reaches <paramref name="to"/>: both connected and running, on one side (the TestKit compares the nodes' failure detectors with it).</summary>
    internal bool CanReach(string from, string to)
    {
        lock (_lock)
        {
            return _endpoints.TryGetValue(from, out var sender) && _endpoints.TryGetValue(to, out var receiver) && CanTalk(sender, receiver);
        }
    }

    internal bool IsReachable(SimulatedTransport from, string node)
    {
        lock (_lock)
        {
            return _endpoints.TryGetValue(node, out var to) && CanTalk(from, to);
        }
    }

    internal void Send(SimulatedTransport from, string node, ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > MaxPayloadBytes)
        {
            throw new ArgumentException($"A message of {payload.Length} bytes is over the network's limit of {MaxPayloadBytes} bytes.", nameof(payload));
        }

        lock (_lock)
        {
            if (!_endpoints.TryGetValue(node, out var to))
            {
                throw new ArgumentException($"Node '{node}' is not on the simulated network (known: {string.Join(", ", _endpoints.Keys)}).", nameof(node));
            }

            _sent++;
            if (!CanTalk(from, to))
            {
                _undeliverable++;
                return;
            }

            var faults = _faults;
            if (faults.DropRate > 0 && _random.NextDouble() < faults.DropRate)
            {
                _dropped++;
                return;
            }

            int copies = faults.DuplicateRate > 0 && _random.NextDouble() < faults.DuplicateRate ? 2 : 1;
            _duplicated += copies - 1;
            byte[] bytes = payload.ToArray();
            for (int copy = 0; copy < copies; copy++)
            {
                var delay = faults.MinDelay + (faults.MaxDelay - faults.MinDelay) * _random.NextDouble() + _slow.GetValueOrDefault(from.LocalNode);
                var delivery = new Delivery(this, from, to, bytes);
                if (delay <= TimeSpan.Zero)
                {
                    _scheduler.Yield(delivery);
                }
                else
                {
                    _delayed.Add(delivery); // keeps its timer referenced until it fires
                    delivery.Timer = _time.CreateTimer(static state => ((Delivery)state!).OnDue(), delivery, delay, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    internal void Disconnect(SimulatedTransport transport)
    {
        lock (_lock)
        {
            transport.IsCrashed = true;
        }

        NotifyReachabilityChanged();
    }

    /// <summary>
    /// Tells every endpoint that reachability may have changed, outside the lock and in the
    /// order the endpoints connected (deterministic), so each node's watcher looks again.
    /// </summary>
    private void NotifyReachabilityChanged()
    {
        SimulatedTransport[] endpoints;
        lock (_lock)
        {
            endpoints = [.. _endpoints.Values];
        }

        foreach (var endpoint in endpoints)
        {
            endpoint.NotifyReachabilityChanged();
        }
    }

    private void Deliver(Delivery delivery)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_endpoints.GetValueOrDefault(delivery.To.LocalNode), delivery.To) || !CanTalk(delivery.From, delivery.To))
            {
                _undeliverable++;
                return;
            }

            _delivered++;
            ulong message = XxHash64.Hash(delivery.Payload, LinkSeed(delivery.From.LocalNode, delivery.To.LocalNode));
            _deliveryLogHash = (BitOperations.RotateLeft(_deliveryLogHash, 7) ^ message) * 0x9E3779B97F4A7C15UL;
        }

        delivery.To.Deliver(delivery.From.LocalNode, delivery.Payload);
    }

    /// <summary>The hash seed of a link in the delivery log, made once per (from, to) pair (called under the lock).</summary>
    private ulong LinkSeed(string from, string to)
    {
        if (!_linkSeeds.TryGetValue((from, to), out ulong seed))
        {
            seed = XxHash64.Hash(System.Text.Encoding.UTF8.GetBytes(from + "\0" + to));
            _linkSeeds[(from, to)] = seed;
        }

        return seed;
    }

    private bool CanTalk(SimulatedTransport from, SimulatedTransport to) =>
        !from.IsCrashed && !to.IsCrashed && (_sides is not { } sides || SideOf(sides, from.LocalNode) == SideOf(sides, to.LocalNode));

    private int SideOf(Dictionary<string, int> sides, string node) => sides.TryGetValue(node, out int side) ? side : _unnamedSide;

    private SimulatedTransport Endpoint(string node) =>
        _endpoints.TryGetValue(node, out var endpoint)
            ? endpoint
            : throw new ArgumentException($"Node '{node}' is not on the simulated network (known: {string.Join(", ", _endpoints.Keys)}).", nameof(node));

    private sealed class Delivery(SimulatedNetwork network, SimulatedTransport from, SimulatedTransport to, byte[] payload) : IThreadPoolWorkItem
    {
        public SimulatedTransport From { get; } = from;

        public SimulatedTransport To { get; } = to;

        public byte[] Payload { get; } = payload;

        public ITimer? Timer { get; set; }

        public void OnDue()
        {
            lock (network._lock)
            {
                network._delayed.Remove(this);
            }

            Timer?.Dispose();
            network._scheduler.Yield(this);
        }

        public void Execute() => network.Deliver(this);
    }
}
