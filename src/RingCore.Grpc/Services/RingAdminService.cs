using Grpc.Core;
using RingCore.Grpc.Admin;
using RingCore.Membership;

namespace RingCore.Grpc.Services;

/// <summary>
/// The admin service (proto/ringcore_admin.proto): riak-admin's cluster commands, member-status,
/// ring-status, transfers and aae-status, run by the node that receives the call. Membership
/// requests wait for the claimant until the call's deadline (or the membership timeout).
/// </summary>
internal sealed class RingAdminService(GrpcTransport transport) : RingAdmin.RingAdminBase
{
    public override async Task<JoinReply> Join(JoinRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        if (string.IsNullOrWhiteSpace(request.Seed))
        {
            throw ServiceStatus.Error(StatusCode.InvalidArgument, "Join needs a seed: any member of the cluster to join (name@host:port).");
        }

        await node.JoinAsync(request.Seed, context.CancellationToken).ConfigureAwait(false);
        return new JoinReply { Node = node.Name };
    }

    public override async Task<PlanReply> Stage(StageRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        var change = request.Kind switch
        {
            ChangeKind.Leave => new ClusterChange(ClusterChangeKind.Leave, request.Member is "" ? node.Name : request.Member),
            ChangeKind.ForceRemove => new ClusterChange(ClusterChangeKind.ForceRemove, Required(request.Member, "member", "force-remove")),
            ChangeKind.Replace => new ClusterChange(ClusterChangeKind.Replace, Required(request.Member, "member", "replace"),
                Required(request.Replacement, "replacement", "replace")),
            ChangeKind.Join => throw ServiceStatus.Error(StatusCode.InvalidArgument, "A join is staged by Join on the joining node, not by Stage."),
            _ => throw ServiceStatus.Error(StatusCode.InvalidArgument, $"Stage needs a kind: LEAVE, FORCE_REMOVE or REPLACE (got {request.Kind})."),
        };
        var plan = await node.StageAsync(change, OperatorOf(request.Operator), context.CancellationToken).ConfigureAwait(false);
        return AdminReplies.Plan(plan);
    }

    public override async Task<PlanReply> Plan(PlanRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        return AdminReplies.Plan(await node.PlanAsync(OperatorOf(request.Operator), context.CancellationToken).ConfigureAwait(false));
    }

    public override async Task<CommitReply> Commit(CommitRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        var ring = await node.CommitAsync(OperatorOf(request.Operator), context.CancellationToken).ConfigureAwait(false);
        var reply = new CommitReply { RingVersion = ring.Version };
        AdminReplies.AddTransfers(reply.Transfers, ring.Transfers);
        return reply;
    }

    public override async Task<ClearReply> Clear(ClearRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        await node.ClearAsync(OperatorOf(request.Operator), context.CancellationToken).ConfigureAwait(false);
        return new ClearReply();
    }

    public override Task<MemberStatusReply> MemberStatus(StatusRequest request, ServerCallContext context) =>
        Task.FromResult(AdminReplies.MemberStatus(ServiceCallInterceptor.NodeOf(transport).GetClusterStatus()));

    public override Task<RingStatusReply> RingStatus(StatusRequest request, ServerCallContext context) =>
        Task.FromResult(AdminReplies.RingStatus(ServiceCallInterceptor.NodeOf(transport).GetClusterStatus()));

    public override Task<TransfersReply> Transfers(StatusRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        return Task.FromResult(AdminReplies.Transfers(node.Name, node.GetTransfers(), node.GetClusterStatus().PendingTransfers, node.CompletedTransfers,
            node.ObjectsHandedOff));
    }

    public override Task<AntiEntropyStatusReply> AntiEntropyStatus(StatusRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        return Task.FromResult(AdminReplies.AntiEntropy(node.Name, node.AntiEntropyEnabled, node.AntiEntropyStatus()));
    }

    private static string? OperatorOf(string name) => name is "" ? null : name;

    private static string Required(string value, string field, string change) =>
        string.IsNullOrWhiteSpace(value) ? throw ServiceStatus.Error(StatusCode.InvalidArgument, $"A {change} needs its {field}.") : value;
}
