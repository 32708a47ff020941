using RingCore.AntiEntropy;
using RingCore.Grpc.Admin;
using RingCore.Membership;
using RingCore.Ring;

namespace RingCore.Grpc.Services;

/// <summary>The node's membership values as the admin service's messages (proto/ringcore_admin.proto).</summary>
internal static class AdminReplies
{
    /// <summary>riak-admin cluster plan: the staged changes, every member's partitions now and once planned, and the transfers a commit starts.</summary>
    public static PlanReply Plan(ClusterPlan plan)
    {
        var reply = new PlanReply { StagedBy = plan.StagedBy ?? "", PartitionCount = (uint)plan.Current.PartitionCount };
        foreach (var change in plan.Changes)
        {
            reply.Changes.Add(new StagedChange { Kind = KindOf(change.Kind), Member = change.Member, Replacement = change.Replacement ?? "" });
        }

        var planned = plan.Planned ?? plan.Current;
        int[] now = plan.Current.CountOwnedPartitions(), then = planned.CountOwnedPartitions();
        foreach (var member in plan.Current.Members)
        {
            int index = planned.IndexOfMember(member.Name);
            reply.Members.Add(new MemberShare
            {
                Name = member.Name,
                Status = StatusText(member.Status),
                Partitions = (uint)now[plan.Current.IndexOfMember(member.Name)],
                PlannedPartitions = index < 0 ? 0 : (uint)then[index],
            });
        }

        foreach (var member in planned.Members)
        {
            if (plan.Current.IndexOfMember(member.Name) < 0)
            {
                reply.Members.Add(new MemberShare
                {
                    Name = member.Name,
                    Status = StatusText(member.Status),
                    PlannedPartitions = (uint)then[planned.IndexOfMember(member.Name)],
                });
            }
        }

        AddTransfers(reply.Transfers, plan.Transfers);
        return reply;
    }

    /// <summary>riak-admin aae-status: the node's Merkle trees.</summary>
    public static AntiEntropyStatusReply AntiEntropy(string node, IReadOnlyList<AntiEntropyTreeStatus> trees)
    {
        // RingNode reports no trees when anti-entropy is off; a node that holds partitions has trees when it is on.
        var reply = new AntiEntropyStatusReply { Node = node, Enabled = trees.Count > 0 };
        foreach (var tree in trees)
        {
            reply.Trees.Add(new TreeStatus
            {
                Partition = (uint)tree.Partition,
                N = (uint)tree.N,
                Keys = (ulong)tree.Keys,
                Built = tree.Built,
                BuiltUnixMs = tree.BuiltAt?.ToUnixTimeMilliseconds() ?? 0,
                LastExchangeUnixMs = tree.LastExchange?.ToUnixTimeMilliseconds() ?? 0,
                KeysRepaired = (ulong)tree.KeysRepaired,
                Exchanges = (ulong)tree.Exchanges,
            });
        }

        return reply;
    }

    /// <summary>The transfers as the wire lists them.</summary>
    public static void AddTransfers(Google.Protobuf.Collections.RepeatedField<Transfer> into, IEnumerable<PendingTransfer> transfers)
    {
        foreach (var transfer in transfers)
        {
            into.Add(new Transfer
            {
                Partition = (uint)transfer.Partition,
                From = transfer.From,
                To = transfer.To,
                Kind = transfer.Kind == TransferKind.Ownership ? "ownership" : "repair",
            });
        }
    }

    /// <summary>riak's member status words: joining, valid, leaving, exiting, down.</summary>
    public static string StatusText(MemberStatus status) => status switch
    {
        MemberStatus.Joining => "joining",
        MemberStatus.Valid => "valid",
        MemberStatus.Leaving => "leaving",
        MemberStatus.Exiting => "exiting",
        _ => "down",
    };

    /// <summary>The wire's change kind for a staged change.</summary>
    public static ChangeKind KindOf(ClusterChangeKind kind) => kind switch
    {
        ClusterChangeKind.Join => ChangeKind.Join,
        ClusterChangeKind.Leave => ChangeKind.Leave,
        ClusterChangeKind.ForceRemove => ChangeKind.ForceRemove,
        _ => ChangeKind.Replace,
    };
}
