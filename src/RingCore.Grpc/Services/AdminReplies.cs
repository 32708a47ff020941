using RingCore.AntiEntropy;
using RingCore.Handoff;
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

    /// <summary>riak-admin member-status: each member's status, reachability and share of the ring now and once the pending transfers completed.</summary>
    public static MemberStatusReply MemberStatus(ClusterStatus status)
    {
        var reply = new MemberStatusReply
        {
            Node = status.Node,
            PartitionCount = (uint)status.PartitionCount,
            RingVersion = status.RingVersion,
            Claimant = status.Claimant ?? "",
        };
        foreach (var member in status.Members)
        {
            reply.Members.Add(new MemberStatusEntry
            {
                Name = member.Name,
                Status = StatusText(member.Status),
                Reachable = member.Reachable,
                Partitions = (uint)member.Partitions,
                RingPercent = 100.0 * member.Partitions / status.PartitionCount,
                PendingPercent = 100.0 * member.PendingPartitions / status.PartitionCount,
            });
        }

        return reply;
    }

    /// <summary>riak-admin ring-status: the claimant, the ring's version and pending transfers, and the members the node sees down.</summary>
    public static RingStatusReply RingStatus(ClusterStatus status)
    {
        var reply = new RingStatusReply
        {
            Node = status.Node,
            Claimant = status.Claimant ?? "",
            ClaimantReachable = status.ClaimantReachable,
            RingVersion = status.RingVersion,
            ClusterId = status.ClusterId,
            PartitionCount = (uint)status.PartitionCount,
        };
        AddTransfers(reply.Pending, status.PendingTransfers);
        foreach (var member in status.Members)
        {
            if (!member.Reachable)
            {
                reply.Unreachable.Add(member.Name);
            }
        }

        return reply;
    }

    /// <summary>riak-admin transfers: what the node sends now with its progress, the ring's pending transfers, and the node's totals.</summary>
    public static TransfersReply Transfers(string node, IReadOnlyList<Handoff.TransferProgress> running, IEnumerable<PendingTransfer> pending, long completed,
        long objectsSent)
    {
        var reply = new TransfersReply { Node = node, Completed = (ulong)completed, ObjectsSent = (ulong)objectsSent };
        foreach (var transfer in running)
        {
            var progress = new Admin.TransferProgress
            {
                Partition = (uint)transfer.Partition,
                From = transfer.From,
                To = transfer.To,
                Kind = transfer.Kind switch
                {
                    TransferProgressKind.Ownership => "ownership",
                    TransferProgressKind.Repair => "repair",
                    _ => "hinted",
                },
                Objects = (ulong)transfer.Objects,
                Bytes = (ulong)transfer.Bytes,
                StartedUnixMs = transfer.StartedAt.ToUnixTimeMilliseconds(),
                ElapsedMs = (long)transfer.Elapsed.TotalMilliseconds,
                BytesPerSecond = transfer.BytesPerSecond,
            };
            if (transfer.ObjectsTotal is { } total)
            {
                progress.ObjectsTotal = (ulong)total;
            }

            reply.Running.Add(progress);
        }

        AddTransfers(reply.Pending, pending);
        return reply;
    }

    /// <summary>riak-admin aae-status: the node's Merkle trees.</summary>
    public static AntiEntropyStatusReply AntiEntropy(string node, bool enabled, IReadOnlyList<AntiEntropyTreeStatus> trees)
    {
        var reply = new AntiEntropyStatusReply { Node = node, Enabled = enabled };
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
    public static string StatusText(Ring.MemberStatus status) => status switch
    {
        Ring.MemberStatus.Joining => "joining",
        Ring.MemberStatus.Valid => "valid",
        Ring.MemberStatus.Leaving => "leaving",
        Ring.MemberStatus.Exiting => "exiting",
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
