using RingCore.Diagnostics;
using RingCore.Protocol;
using RingCore.Ring;
using RingCore.Transport;

namespace RingCore.Membership;

/// <summary>Gossip in <see cref="MembershipService"/> (riak_core_gossip): the ring sent to a random other member every interval and to every member after a change, and the merge of the rings peers send or answer with.</summary>
internal sealed partial class MembershipService
{
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
}
