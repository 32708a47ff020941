using RingCore.Protocol;
using RingCore.Ring;
using RingCore.Transport;

namespace RingCore.Membership;

/// <summary>The requesting side of <see cref="MembershipService"/>: the changes this node asks the acting claimant for (join, stage, plan, commit, clear, a finished transfer, an exit), and the calls that carry them.</summary>
internal sealed partial class MembershipService
{
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

    private static ClusterChange ToChange(StagedChangeEntry entry) => entry.Kind switch
    {
        "join" => new ClusterChange(ClusterChangeKind.Join, entry.Member),
        "leave" => new ClusterChange(ClusterChangeKind.Leave, entry.Member),
        "force-remove" => new ClusterChange(ClusterChangeKind.ForceRemove, entry.Member),
        _ => new ClusterChange(ClusterChangeKind.Replace, entry.Member, entry.Replacement),
    };
}
