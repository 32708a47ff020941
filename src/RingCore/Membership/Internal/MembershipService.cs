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
internal sealed class MembershipService : IPeerService, IPeerReplyHandler, IThreadPoolWorkItem, IDisposable
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

    /// <summary>Asks to join the cluster of <paramref name="seed"/>: the claimant stages this node's join, and a commit admits it.</summary>
    public async Task JoinAsync(string seed, string operatorName, CancellationToken cancellationToken)
    {
        var ring = _routing.Ring;
        if (ring.Members.Length > 1 || ring.Members[0].Name != _self)
        {
            throw new ClusterChangeRefusedException($"'{_self}' is already a member of a cluster of {ring.Members.Length} members; it can join another only alone.");
        }

        if (seed == _self)
        {
            throw new ClusterChangeRefusedException($"'{_self}' cannot join itself: name a member of the cluster to join.");
        }

        // Learn the cluster first, then ask: once the claimant has staged the join, any later
        // commit admits this node, even when the join's own reply is lost, so from then on this
        // node must take that cluster's ring when it arrives (issue 13's partition suite).
        var status = await CallAsync(seed, new ClaimantRequest { Operator = operatorName, Status = true }, cancellationToken).ConfigureAwait(false);
        var clusterRing = RingCodec.Decode(status.Ring);
        if (clusterRing.PartitionCount != ring.PartitionCount)
        {
            throw new ClusterChangeRefusedException(
                $"The cluster of '{seed}' has {clusterRing.PartitionCount} partitions and '{_self}' has {ring.PartitionCount} (RingCore:PartitionCount): a node joins only a cluster of its own ring size.");
        }

        _joining = clusterRing.ClusterId;
        await CallAsync(seed, new ClaimantRequest { Operator = operatorName, Join = _self }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stages a change at the claimant; returns the plan with every staged change.</summary>
    public async Task<ClusterPlan> StageAsync(ClusterChange change, string operatorName, CancellationToken cancellationToken)
    {
        var request = new ClaimantRequest { Operator = operatorName };
        switch (change.Kind)
        {
            case ClusterChangeKind.Leave:
                request.Leave = change.Member;
                break;
            case ClusterChangeKind.ForceRemove:
                request.ForceRemove = change.Member;
                break;
            case ClusterChangeKind.Replace:
                request.Replace = new ReplaceChange { Member = change.Member, Replacement = change.Replacement ?? "" };
                break;
            default:
                throw new ArgumentException($"A join is staged by the joining node (RingNode.JoinAsync), not by {nameof(StageAsync)}.", nameof(change));
        }

        await CallClaimantAsync(request, cancellationToken).ConfigureAwait(false);
        return await PlanAsync(operatorName, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ClusterPlan> PlanAsync(string operatorName, CancellationToken cancellationToken)
    {
        var reply = await CallClaimantAsync(new ClaimantRequest { Operator = operatorName, Plan = true }, cancellationToken).ConfigureAwait(false);
        return new ClusterPlan(
            reply.Staged.Select(ToChange).ToList(),
            string.IsNullOrEmpty(reply.Operator) ? null : reply.Operator,
            RingCodec.Decode(reply.Ring),
            reply.Planned is null ? null : RingCodec.Decode(reply.Planned),
            [.. reply.Transfers.Select(RingCodec.Decode)]);
    }

    /// <summary>Commits the staged changes; returns the ring the claimant installed.</summary>
    public async Task<RingState> CommitAsync(string operatorName, CancellationToken cancellationToken)
    {
        var reply = await CallClaimantAsync(new ClaimantRequest { Operator = operatorName, Commit = true }, cancellationToken).ConfigureAwait(false);
        var ring = RingCodec.Decode(reply.Ring);
        Merge(ring, _self);
        return ring;
    }

    public Task ClearAsync(string operatorName, CancellationToken cancellationToken) =>
        CallClaimantAsync(new ClaimantRequest { Operator = operatorName, Clear = true }, cancellationToken);

    /// <summary>Reports a finished transfer to the claimant (the handoff sender, after the receiver acknowledged everything).</summary>
    public Task TransferDoneAsync(PendingTransfer transfer, CancellationToken cancellationToken) =>
        CallClaimantAsync(new ClaimantRequest { Operator = _self, TransferDone = RingCodec.Encode(transfer) }, cancellationToken);

    /// <summary>Reports that this exiting member has handed off everything it held.</summary>
    public Task ExitedAsync(CancellationToken cancellationToken) =>
        CallClaimantAsync(new ClaimantRequest { Operator = _self, Exited = _self }, cancellationToken);

    /// <summary>Sends this node's ring to every other member now (after it installed a change).</summary>
    public void Broadcast(RingState ring, string? alsoTo = null)
    {
        var message = RingCodec.Encode(ring);
        foreach (var member in ring.Members)
        {
            if (member.Name != _self)
            {
                SendGossip(member.Name, message);
            }
        }

        if (alsoTo is not null && alsoTo != _self && ring.IndexOfMember(alsoTo) < 0)
        {
            SendGossip(alsoTo, message);
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

    void IPeerReplyHandler.OnReply(int index, PeerFrame reply)
    {
        if (reply.Membership?.GossipReply?.Ring is { } ring && !_stopped)
        {
            try
            {
                Merge(RingCodec.Decode(ring), "gossip reply");
            }
            catch (InvalidDataException error)
            {
                _rpc.Malformed("gossip reply", error.Message);
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => GossipRound();

    public void Dispose()
    {
        _stopped = true;
        _gossip.Dispose();
    }

    private void OnGossipTimer()
    {
        if (!_stopped)
        {
            _scheduler.Schedule(this); // the round runs on the node's scheduler, in a simulation in its one order
        }
    }

    private void GossipRound()
    {
        if (_stopped || _left)
        {
            return;
        }

        // Any other member, up or not (riak_core_gossip's random other node): a member the failure
        // detector has never seen up may be one that never received the ring that admitted it (it
        // restarted alone), which sends no heartbeats to anyone until gossip tells it it is a
        // member (issue 13's partition suite).
        var view = _routing.Current;
        var peers = new List<string>();
        foreach (var member in view.Ring.Members)
        {
            if (member.Name != _self)
            {
                peers.Add(member.Name);
            }
        }

        if (peers.Count == 0)
        {
            return;
        }

        string peer;
        lock (_random)
        {
            peer = peers[_random.Next(peers.Count)];
        }

        SendGossip(peer, RingCodec.Encode(view.Ring));
    }

    private void SendGossip(string peer, RingMessage ring)
    {
        try
        {
            _rpc.Send(peer, new PeerFrame { Membership = new MembershipMessage { Gossip = ring } }, this);
        }
        catch (ArgumentException error)
        {
            RingCoreLog.MembershipRequestFailed(_logger, _self, peer, error.Message); // not on this network (yet)
        }
    }

    /// <summary>Merges a ring into this node's; returns the ring this node holds afterwards (null when it ignored the ring).</summary>
    private RingState? Merge(RingState incoming, string from)
    {
        var (outcome, merged) = _routing.Merge(incoming, _joining);
        switch (outcome)
        {
            case RingMerge.Installed:
                if (_joining == merged.ClusterId)
                {
                    _joining = null; // joined: from now on this cluster's rings merge as usual
                }

                return merged;
            case RingMerge.Removed:
                if (!_left)
                {
                    _left = true;
                    RingCoreLog.LeftRing(_logger, _self, merged.Version);
                    Left?.Invoke();
                }

                return merged;
            case RingMerge.OtherCluster:
                RingCoreLog.OtherClusterRing(_logger, _self, incoming.ClusterId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), from);
                return null;
            default:
                return merged;
        }
    }

    private async Task ServeClaimantAsync(PeerRequest request, ClaimantRequest claimantRequest)
    {
        ClaimantReply reply;
        try
        {
            reply = await HandleAsync(claimantRequest, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (error is TimeoutException or InvalidDataException or ArgumentException)
        {
            reply = new ClaimantReply { Error = error.Message };
        }
        catch (ObjectDisposedException)
        {
            return; // stopped meanwhile: a stopped node answers nothing
        }

        _rpc.Reply(request, new PeerFrame { Membership = new MembershipMessage { ClaimantReply = reply } });
    }

    /// <summary>Sends a request to the acting claimant (this node itself, when it is).</summary>
    private async Task<ClaimantReply> CallClaimantAsync(ClaimantRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        var reply = await HandleAsync(request, cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(reply.Error) ? reply : throw new ClusterChangeRefusedException(reply.Error);
    }

    private async Task<ClaimantReply> CallAsync(string node, ClaimantRequest request, CancellationToken cancellationToken)
    {
        var frame = await PeerCall.SendAsync(_rpc, _scheduler, _time, node,
            new PeerFrame { Membership = new MembershipMessage { ClaimantRequest = request } }, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        var reply = frame.Membership?.ClaimantReply ?? throw new InvalidDataException($"'{node}' answered a membership request with something else.");
        return string.IsNullOrEmpty(reply.Error) ? reply : throw new ClusterChangeRefusedException(reply.Error);
    }

    /// <summary>Decides the request here when this node is the acting claimant; otherwise forwards it there once.</summary>
    private async Task<ClaimantReply> HandleAsync(ClaimantRequest request, CancellationToken cancellationToken)
    {
        if (_joining is not null)
        {
            // Alone in its own ring until the cluster's arrives: as that ring's claimant it would
            // take a third node into a cluster of two that vanishes once its own admission arrives.
            return new ClaimantReply { Error = $"'{_self}' has asked to join a cluster and has not received its ring yet: ask a member of that cluster." };
        }

        string? acting = ActingClaimant;
        if (acting == _self && request.ChangeCase is ClaimantRequest.ChangeOneofCase.Commit or ClaimantRequest.ChangeOneofCase.TransferDone
                or ClaimantRequest.ChangeOneofCase.Exited)
        {
            // Before it changes the ring, the claimant learns what the members it sees know: a
            // change decided on a ring that is behind (this node was cut off while another
            // claimant committed, or restarted with an older ring) made a ring concurrent with
            // theirs, and the merge kept one of the two and undid the other's changes (issue 13's
            // partition suite). It may then find it is not the claimant any more. And it changes
            // the ring only while it reaches a majority of the members: the two sides of a
            // partition each see their own first member as claimant, and the merge of their two
            // rings undid one side's commit.
            var answered = await SyncAsync(cancellationToken).ConfigureAwait(false);
            ObjectDisposedException.ThrowIf(_stopped, this); // stopped or crashed meanwhile: it decides nothing more
            acting = ActingClaimant;
            if (acting == _self && EarlierValidMember(answered) is { } claimant)
            {
                // A valid member before this one answered: it is up again (this node's detector
                // has not seen it back yet), so it is the claimant, and two acting at once made
                // concurrent rings whose merge undid one's change (issue 13's partition suite).
                acting = claimant;
            }

            if (acting == _self && WithoutMajority() is { } refusal)
            {
                return new ClaimantReply { Error = refusal };
            }
        }

        if (acting == _self)
        {
            return Decide(request);
        }

        if (request.Forwarded)
        {
            return new ClaimantReply { Error = $"'{_self}' is not the claimant: by its view, {acting ?? "no member"} is." };
        }

        if (acting is null)
        {
            return new ClaimantReply { Error = $"No valid member is reachable from '{_self}' to act as claimant." };
        }

        request.Forwarded = true;
        try
        {
            var frame = await PeerCall.SendAsync(_rpc, _scheduler, _time, acting,
                new PeerFrame { Membership = new MembershipMessage { ClaimantRequest = request } }, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            return frame.Membership?.ClaimantReply ?? new ClaimantReply { Error = $"The claimant '{acting}' answered with something else." };
        }
        catch (TimeoutException)
        {
            return new ClaimantReply { Error = $"The claimant '{acting}' did not answer within {_options.RequestTimeout}; it may be down (force-remove it from another member if it is gone for good)." };
        }
    }

    /// <summary>Why this node may not change the ring now (it reaches no majority of the members, itself included); null when it may.</summary>
    private string? WithoutMajority()
    {
        var view = _routing.Current;
        int reached = 0;
        foreach (var member in view.Ring.Members)
        {
            if (member.Name == _self || view.IsUp(member.Name))
            {
                reached++;
            }
        }

        int members = view.Ring.Members.Length;
        return reached * 2 > members ? null
            : $"'{_self}' reaches {reached} of the {members} members of the ring: a change needs a majority, so that the two sides of a partition cannot both change it. Heal the partition or bring members back first.";
    }

    /// <summary>
    /// Sends this node's ring to every member it sees up, and to the valid members before it by
    /// name whatever it sees, and merges the newer rings they answer with (waits at most half the
    /// request timeout); returns who answered.
    /// </summary>
    private async Task<HashSet<string>> SyncAsync(CancellationToken cancellationToken)
    {
        var view = _routing.Current;
        var message = RingCodec.Encode(view.Ring);
        var calls = new List<(string Peer, Task<PeerFrame> Reply)>();
        bool before = true; // members are sorted by name: those before this node would be claimant if up
        foreach (var member in view.Ring.Members)
        {
            if (member.Name == _self)
            {
                before = false;
            }
            else if (view.IsUp(member.Name) || (before && member.Status == MemberStatus.Valid))
            {
                calls.Add((member.Name, PeerCall.SendAsync(_rpc, _scheduler, _time, member.Name,
                    new PeerFrame { Membership = new MembershipMessage { Gossip = message } }, _options.RequestTimeout / 2, cancellationToken)));
            }
        }

        var answered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (peer, reply) in calls)
        {
            try
            {
                var frame = await reply.ConfigureAwait(false);
                answered.Add(peer);
                if (frame.Membership?.GossipReply?.Ring is { } ring)
                {
                    Merge(RingCodec.Decode(ring), peer);
                }
            }
            catch (Exception error) when (error is TimeoutException or ArgumentException or InvalidDataException)
            {
                RingCoreLog.MembershipRequestFailed(_logger, _self, peer, error.Message); // cut off: it cannot tell this node anything now
            }
        }

        return answered;
    }

    /// <summary>The first valid member before this one (by name) among <paramref name="answered"/>: the claimant, since it is up; null when there is none.</summary>
    private string? EarlierValidMember(HashSet<string> answered)
    {
        foreach (var member in _routing.Ring.Members)
        {
            if (member.Name == _self)
            {
                return null;
            }

            if (member.Status == MemberStatus.Valid && answered.Contains(member.Name))
            {
                return member.Name;
            }
        }

        return null;
    }

    /// <summary>The claimant's decision on one request, made under its lock; a new ring is installed and sent to every member.</summary>
    private ClaimantReply Decide(ClaimantRequest request)
    {
        var reply = new ClaimantReply();
        RingState? next = null;
        string? notify = null;
        lock (_claimantLock)
        {
            var ring = _routing.Ring;
            string operatorName = string.IsNullOrEmpty(request.Operator) ? "operator" : request.Operator;
            string? error = null;
            switch (request.ChangeCase)
            {
                case ClaimantRequest.ChangeOneofCase.Join:
                    error = _claimant.Stage(ring, new ClusterChange(ClusterChangeKind.Join, request.Join), operatorName, _self);
                    break;
                case ClaimantRequest.ChangeOneofCase.Leave:
                    error = _claimant.Stage(ring, new ClusterChange(ClusterChangeKind.Leave, request.Leave), operatorName, _self);
                    break;
                case ClaimantRequest.ChangeOneofCase.ForceRemove:
                    error = _claimant.Stage(ring, new ClusterChange(ClusterChangeKind.ForceRemove, request.ForceRemove), operatorName, _self);
                    break;
                case ClaimantRequest.ChangeOneofCase.Replace:
                    error = _claimant.Stage(ring, new ClusterChange(ClusterChangeKind.Replace, request.Replace.Member, request.Replace.Replacement), operatorName, _self);
                    break;
                case ClaimantRequest.ChangeOneofCase.Plan:
                {
                    var plan = _claimant.Plan(ring);
                    if (plan.Planned is not null)
                    {
                        reply.Planned = RingCodec.Encode(plan.Planned);
                    }

                    reply.Transfers.AddRange(plan.Transfers.Select(RingCodec.Encode));
                    break;
                }

                case ClaimantRequest.ChangeOneofCase.Commit:
                {
                    var staged = string.Join(", ", _claimant.Staged.Changes);
                    (next, error) = _claimant.Commit(ring, _self);
                    if (next is not null)
                    {
                        RingCoreLog.ChangesCommitted(_logger, _self, next.Version, staged, next.Transfers.Length);
                    }

                    break;
                }

                case ClaimantRequest.ChangeOneofCase.Clear:
                    _claimant.Clear();
                    break;
                case ClaimantRequest.ChangeOneofCase.TransferDone:
                {
                    PendingTransfer done;
                    try
                    {
                        done = RingCodec.Decode(request.TransferDone);
                    }
                    catch (OverflowException)
                    {
                        error = "a transfer with an invalid partition";
                        break;
                    }

                    next = Claimant.TransferDone(ring, done, _self);
                    break;
                }

                case ClaimantRequest.ChangeOneofCase.Exited:
                    (next, error) = Claimant.Exited(ring, request.Exited, _self);
                    notify = request.Exited;
                    break;
                case ClaimantRequest.ChangeOneofCase.Status:
                    break;
                default:
                    error = $"a membership request with no change ({request.ChangeCase})";
                    break;
            }

            if (error is not null)
            {
                return new ClaimantReply { Error = error };
            }

            if (next is not null)
            {
                Merge(next, _self);
            }

            var (changes, by) = _claimant.Staged;
            foreach (var change in changes)
            {
                reply.Staged.Add(new StagedChangeEntry { Kind = KindName(change.Kind), Member = change.Member, Replacement = change.Replacement ?? "" });
            }

            reply.Operator = by ?? "";
            reply.Ring = RingCodec.Encode(_routing.Ring);
        }

        if (next is not null)
        {
            Broadcast(_routing.Ring, notify);
        }

        return reply;
    }

    private static string KindName(ClusterChangeKind kind) => kind switch
    {
        ClusterChangeKind.Join => "join",
        ClusterChangeKind.Leave => "leave",
        ClusterChangeKind.ForceRemove => "force-remove",
        _ => "replace",
    };

    private static ClusterChange ToChange(StagedChangeEntry entry) => entry.Kind switch
    {
        "join" => new ClusterChange(ClusterChangeKind.Join, entry.Member),
        "leave" => new ClusterChange(ClusterChangeKind.Leave, entry.Member),
        "force-remove" => new ClusterChange(ClusterChangeKind.ForceRemove, entry.Member),
        _ => new ClusterChange(ClusterChangeKind.Replace, entry.Member, entry.Replacement),
    };
}
