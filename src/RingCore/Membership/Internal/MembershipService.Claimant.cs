using RingCore.Diagnostics;
using RingCore.Protocol;
using RingCore.Ring;
using RingCore.Transport;

namespace RingCore.Membership;

/// <summary>The claimant side of <see cref="MembershipService"/> (riak_core_claimant): serving requests, forwarding them to the acting claimant, and, on it, syncing with the members and checking for a majority before deciding each change under its lock.</summary>
internal sealed partial class MembershipService
{
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
}
