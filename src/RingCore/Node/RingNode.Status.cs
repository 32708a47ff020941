using RingCore.Handoff;
using RingCore.Membership;
using RingCore.Ring;

namespace RingCore.Node;

/// <summary>What a node reports about the cluster and its transfers (riak-admin member-status, ring-status, transfers).</summary>
public sealed partial class RingNode
{
    /// <summary>The cluster by this node's ring and failure detector: members with their status, share and reachability, the claimant, the pending transfers.</summary>
    public ClusterStatus GetClusterStatus()
    {
        var view = _routing.Current;
        var ring = view.Ring;
        int[] now = ring.CountOwnedPartitions();
        int[] pending = (int[])now.Clone();
        foreach (var transfer in ring.Transfers)
        {
            if (transfer.Kind == TransferKind.Ownership && ring.IndexOfMember(transfer.From) is int from and >= 0 && ring.IndexOfMember(transfer.To) is int to and >= 0)
            {
                pending[from]--;
                pending[to]++;
            }
        }

        var members = ring.Members
            .Select((member, index) => new MemberState(member.Name, member.Status, member.Name == Name || view.IsUp(member.Name), now[index], pending[index]))
            .OrderBy(member => member.Name, StringComparer.Ordinal)
            .ToArray();
        string? claimant = ring.Claimant;
        return new ClusterStatus(Name, ring, claimant, claimant is not null && (claimant == Name || view.IsUp(claimant)), members);
    }

    /// <summary>The transfers this node is sending now (ownership handoffs, repairs, hinted handoff), with their progress.</summary>
    public IReadOnlyList<TransferProgress> GetTransfers() => _handoff.Progress();

    /// <summary>Ownership transfers and repairs this node finished since it started.</summary>
    public long CompletedTransfers => _handoff.CompletedTransfers;

    /// <summary>Objects this node handed to others (transfers and hinted handoff) since it started.</summary>
    public long ObjectsHandedOff => _handoff.ObjectsSent;
}
