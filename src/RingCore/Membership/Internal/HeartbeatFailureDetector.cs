using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RingCore.Diagnostics;
using RingCore.Protocol;
using RingCore.Transport;

namespace RingCore.Membership;

/// <summary>
/// <see cref="FailureDetectionMode.Heartbeats"/>: sends a <see cref="Heartbeat"/> through
/// <see cref="PeerRpc"/> to every other watched member each heartbeat interval, feeds each one
/// received to a <see cref="PhiAccrualFailureDetector"/> of its sender, marks a member down when
/// its φ reaches the threshold (checked every check interval) and up again as soon as a heartbeat
/// from it arrives. Both timers run on the node's <see cref="TimeProvider"/>, so a simulation
/// runs detection in virtual time, in its seeded order.
/// </summary>
/// <remarks>
/// <para>A member starts up, with its detector fed one heartbeat at the moment it is first watched
/// (Akka's "expected first heartbeat"): a member that never sends one is marked down once φ
/// crosses the threshold, rather than being trusted forever (which is what a detector that has
/// seen nothing, φ = 0, would do). Its first real heartbeat then starts a fresh history, so the
/// guess never counts as an interval. A member that stays in the ring keeps its detector across
/// ring changes; one that leaves it loses it.</para>
/// <para>A heartbeat whose sequence is not above the last one taken from the same incarnation of
/// its sender (the network duplicated or reordered it) is dropped: its near-zero interval would
/// shrink the history's mean. A new incarnation (the sender restarted) starts its sequence again.</para>
/// <para>Only heartbeats feed the detectors, not other traffic: the history must hold the
/// intervals of one steady sender, and replies in bursts would shrink its mean and make the next
/// quiet second look like a crash.</para>
/// <para>Up/down changes are logged (events 2100 and 2101) and counted
/// (<c>ringcore.membership.node_down</c>, <c>ringcore.membership.node_up</c>), then announced
/// through <see cref="Changed"/> outside the lock, which the <see cref="NodeWatcher"/> answers by looking again.</para>
/// </remarks>
internal sealed class HeartbeatFailureDetector : IFailureDetector, IPeerService
{
    private readonly string _self;
    private readonly PeerRpc _rpc;
    private readonly TimeProvider _time;
    private readonly FailureDetectionOptions _options;
    private readonly RingCoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly long _origin;
    private readonly ulong _incarnation;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private string[] _peers = [];
    private ITimer? _sendTimer;
    private ITimer? _checkTimer;
    private ulong _sequence;
    private bool _stopped;

    /// <param name="self">This node's name.</param>
    /// <param name="incarnation">This start of the node (random per start): sent with each heartbeat, so peers tell a restart from a reordered copy.</param>
    /// <param name="rpc">Carries the heartbeats; this detector serves their body case.</param>
    /// <param name="time">The clock of the timers and of the arrivals.</param>
    /// <param name="options">The settings.</param>
    /// <param name="metrics">Counts up and down markings.</param>
    /// <param name="logger">Logs them.</param>
    public HeartbeatFailureDetector(string self, ulong incarnation, PeerRpc rpc, TimeProvider time, FailureDetectionOptions options, RingCoreMetrics metrics,
        ILogger logger)
    {
        _self = self;
        _incarnation = incarnation;
        _rpc = rpc;
        _time = time;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _origin = time.GetTimestamp();
        rpc.Register(PeerFrame.BodyOneofCase.Heartbeat, this);
    }

    public event Action? Changed;

    /// <summary>The members watched now, other than this node (for tests).</summary>
    internal IReadOnlyList<string> Peers => Volatile.Read(ref _peers);

    public bool IsUp(string member)
    {
        lock (_lock)
        {
            return _members.TryGetValue(member, out var watched) && watched.Up;
        }
    }

    /// <summary>φ of <paramref name="member"/> now (0 for a member not watched): for tests and diagnostics.</summary>
    public double Phi(string member)
    {
        lock (_lock)
        {
            return _members.TryGetValue(member, out var watched) ? watched.Detector.Phi(Now()) : 0;
        }
    }

    /// <summary>The detector of <paramref name="member"/>, or null when it is not watched (for tests: read it only while nothing else runs).</summary>
    internal PhiAccrualFailureDetector? DetectorOf(string member)
    {
        lock (_lock)
        {
            return _members.TryGetValue(member, out var watched) ? watched.Detector : null;
        }
    }

    public void Watch(IReadOnlyList<string> members)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            var now = Now();
            var peers = new List<string>(members.Count);
            var kept = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in members)
            {
                if (member == _self || !kept.Add(member))
                {
                    continue;
                }

                peers.Add(member);
                if (!_members.ContainsKey(member))
                {
                    var detector = new PhiAccrualFailureDetector(_options);
                    detector.Heartbeat(now); // expected first heartbeat: start the clock, presume up
                    _members[member] = new Member(detector) { Up = true };
                }
            }

            foreach (var gone in _members.Keys.Where(name => !kept.Contains(name)).ToArray())
            {
                _members.Remove(gone);
            }

            Volatile.Write(ref _peers, [.. peers]);

            if (peers.Count == 0)
            {
                return; // a ring of one (a lone node): nothing to send or check, no timer to wake
            }

            // The first watch with peers starts the timers: the first heartbeat leaves at once, so
            // peers see a (re)started node up within the network's delay, not an interval later.
            _sendTimer ??= _time.CreateTimer(static state => ((HeartbeatFailureDetector)state!).SendHeartbeats(), this,
                TimeSpan.Zero, _options.HeartbeatInterval);
            _checkTimer ??= _time.CreateTimer(static state => ((HeartbeatFailureDetector)state!).Check(), this,
                _options.CheckInterval, _options.CheckInterval);
        }
    }

    public void Stop()
    {
        ITimer? send, check;
        lock (_lock)
        {
            _stopped = true;
            send = _sendTimer;
            check = _checkTimer;
            _sendTimer = null;
            _checkTimer = null;
        }

        send?.Dispose();
        check?.Dispose();
    }

    /// <summary>A heartbeat arrived: feed the sender's detector, and mark it up at once if it was down.</summary>
    public void OnRequest(PeerRequest request, PeerFrame frame)
    {
        Debug.Assert(frame.BodyCase == PeerFrame.BodyOneofCase.Heartbeat, "PeerRpc routes only heartbeats here.");
        TimeSpan downFor = default;
        bool cameUp = false;
        lock (_lock)
        {
            if (_stopped || !_members.TryGetValue(request.From, out var member))
            {
                return; // not a member of this node's ring (yet, or any more): nothing to watch
            }

            var heartbeat = frame.Heartbeat;
            if (member.Heard && heartbeat.Incarnation == member.Incarnation && heartbeat.Sequence <= member.Sequence)
            {
                return; // a duplicate, or a copy overtaken by a later one: its arrival says nothing new
            }

            member.Incarnation = heartbeat.Incarnation;
            member.Sequence = heartbeat.Sequence;
            var now = Now();
            if (!member.Up)
            {
                member.Up = true;
                cameUp = true;
                downFor = now - member.DownSince;
            }

            if (!member.Heard)
            {
                // The first real heartbeat: the clock started at the watch was a guess, and the
                // interval since it says nothing about this sender's rhythm (it would put a
                // near-zero interval into the history), so the history starts here.
                member.Heard = true;
                member.Detector = new PhiAccrualFailureDetector(_options);
            }

            member.Detector.Heartbeat(now);
        }

        if (cameUp)
        {
            _metrics.CountPeer(_metrics.NodesUp, request.From);
            RingCoreLog.NodeMarkedUp(_logger, _self, request.From, (long)downFor.TotalMilliseconds);
            Changed?.Invoke();
        }
    }

    private void SendHeartbeats()
    {
        ulong sequence;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            sequence = ++_sequence;
        }

        foreach (var peer in Volatile.Read(ref _peers))
        {
            try
            {
                _rpc.Send(peer, new PeerFrame { Heartbeat = new Heartbeat { Sequence = sequence, Incarnation = _incarnation } }, handler: null);
            }
            catch (Exception error) when (error is ArgumentException or InvalidOperationException or ObjectDisposedException)
            {
                // A member the transport does not know (yet): it will be suspected like a silent one.
                RingCoreLog.HeartbeatNotSent(_logger, _self, peer, error.Message);
            }
        }
    }

    /// <summary>Marks down every up member whose φ reached the threshold.</summary>
    private void Check()
    {
        List<(string Name, double Phi, double SinceLast, double Mean)>? down = null;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            var now = Now();
            foreach (var (name, member) in _members)
            {
                if (!member.Up)
                {
                    continue;
                }

                double phi = member.Detector.Phi(now);
                if (phi >= _options.Threshold)
                {
                    member.Up = false;
                    member.DownSince = now;
                    (down ??= []).Add((name, phi, (now - member.Detector.LastHeartbeat).TotalMilliseconds, member.Detector.MeanInterval));
                }
            }
        }

        if (down is null)
        {
            return;
        }

        foreach (var (name, phi, sinceLast, mean) in down)
        {
            _metrics.CountPeer(_metrics.NodesDown, name);
            RingCoreLog.NodeMarkedDown(_logger, _self, name, phi, (long)sinceLast, (long)mean);
        }

        Changed?.Invoke();
    }

    private TimeSpan Now() => _time.GetElapsedTime(_origin);

    private sealed class Member(PhiAccrualFailureDetector detector)
    {
        public PhiAccrualFailureDetector Detector { get; set; } = detector;

        /// <summary>Whether a real heartbeat arrived (before it, the detector runs on the expected first one).</summary>
        public bool Heard { get; set; }

        /// <summary>The incarnation and sequence of the last heartbeat taken (meaningful once <see cref="Heard"/>).</summary>
        public ulong Incarnation { get; set; }

        /// <inheritdoc cref="Incarnation"/>
        public ulong Sequence { get; set; }

        public bool Up { get; set; }

        /// <summary>When it was marked down (meaningful while it is down).</summary>
        public TimeSpan DownSince { get; set; }
    }
}
