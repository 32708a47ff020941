using Microsoft.Extensions.Logging;
using RingCore.Diagnostics;
using RingCore.Protocol;
using RingCore.Ring;
using RingCore.Runtime;
using RingCore.Transport;

namespace RingCore.Membership;

/// <summary>
/// A node's part in membership (riak_core_gossip and riak_core_claimant): it gossips the ring to
/// a random peer every interval and to every member at once after a change, merges the rings
/// peers send (<see cref="RingManager.Merge"/>), and, on the acting claimant, decides every
/// change: staged joins, leaves, force-removes and replaces, their plan and commit, finished
/// transfers and exits. A request made on any member goes to the acting claimant: the first
/// valid member by name that this node sees up.
/// </summary>
internal sealed partial class MembershipService : IPeerService, IPeerReplyHandler, IThreadPoolWorkItem, IDisposable
{
    private readonly string _self;
    private readonly RingManager _routing;
    private readonly PeerRpc _rpc;
    private readonly IWorkScheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly MembershipOptions _options;
    private readonly RingCoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly Claimant _claimant;
    private readonly Lock _claimantLock = new();
    private readonly ITimer _gossip;
    private ulong? _joining;
    private volatile bool _left;
    private volatile bool _stopped;

    public MembershipService(string self, RingManager routing, PeerRpc rpc, IWorkScheduler scheduler, TimeProvider time, MembershipOptions options,
        int targetN, Random random, RingCoreMetrics metrics, ILogger logger)
    {
        _self = self;
        _routing = routing;
        _rpc = rpc;
        _scheduler = scheduler;
        _time = time;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _random = random;
        _claimant = new Claimant(targetN);
        rpc.Register(PeerFrame.BodyOneofCase.Membership, this);
        _gossip = time.CreateTimer(static state => ((MembershipService)state!).OnGossipTimer(), this, options.GossipInterval, options.GossipInterval);
    }

    /// <summary>Raised once when a ring arrives that no longer lists this node (it exited or was removed).</summary>
    public event Action? Left;

    /// <summary>Whether this node has left the ring (exited, or was removed).</summary>
    public bool HasLeft => _left;

    /// <summary>The member that this node sends membership requests to: the first valid member by name that it sees up.</summary>
    public string? ActingClaimant
    {
        get
        {
            var view = _routing.Current;
            foreach (var member in view.Ring.Members)
            {
                if (member.Status == MemberStatus.Valid && view.IsUp(member.Name))
                {
                    return member.Name;
                }
            }

            return null;
        }
    }

    public void OnRequest(PeerRequest request, PeerFrame frame)
    {
        if (_stopped)
        {
            return;
        }

        var message = frame.Membership;
        switch (message.BodyCase)
        {
            case MembershipMessage.BodyOneofCase.Gossip:
            {
                RingState incoming;
                try
                {
                    incoming = RingCodec.Decode(message.Gossip);
                }
                catch (InvalidDataException error)
                {
                    _rpc.Malformed(request.From, error.Message);
                    return;
                }

                var merged = Merge(incoming, request.From);
                var reply = new GossipReply();
                if (merged is not null && merged.ClusterId == incoming.ClusterId && merged.Supersedes(incoming))
                {
                    reply.Ring = RingCodec.Encode(merged); // the sender lacks something this node knows
                }

                _rpc.Reply(request, new PeerFrame { Membership = new MembershipMessage { GossipReply = reply } });
                break;
            }

            case MembershipMessage.BodyOneofCase.ClaimantRequest:
                _ = ServeClaimantAsync(request, message.ClaimantRequest);
                break;

            default:
                _rpc.Malformed(request.From, $"a membership message with no request ({message.BodyCase})");
                break;
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _gossip.Dispose();
    }
}
