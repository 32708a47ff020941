using Grpc.Core;
using RingCore.Grpc.Admin;
using static RingCore.Tests.Grpc.GrpcTestPeers;

namespace RingCore.Tests.Grpc;

/// <summary>The admin service (RingAdmin) through its generated client, across two nodes that start alone.</summary>
public sealed class AdminServiceTests
{
    [Fact]
    public async Task A_second_node_joins_through_the_admin_service_and_member_and_ring_status_show_it()
    {
        await using var a = await ServiceNode.StartAsync("a");
        await using var b = await ServiceNode.StartAsync("b");
        var secret = ServiceNode.Secret;

        var joined = await b.Admin.JoinAsync(new JoinRequest { Seed = a.Name }, secret);
        Assert.Equal(b.Name, joined.Node);

        var plan = await a.Admin.PlanAsync(new PlanRequest(), secret);
        var change = Assert.Single(plan.Changes);
        Assert.Equal(ChangeKind.Join, change.Kind);
        Assert.Equal(b.Name, change.Member);
        Assert.Equal(8U, plan.PartitionCount);
        Assert.Equal(8U, plan.Members.Single(member => member.Name == a.Name).Partitions);
        Assert.Equal(4U, plan.Members.Single(member => member.Name == b.Name).PlannedPartitions);
        Assert.Equal(4, plan.Transfers.Count);

        var commit = await a.Admin.CommitAsync(new CommitRequest(), secret);
        Assert.True(commit.RingVersion > 0);
        Assert.Equal(4, commit.Transfers.Count);

        await Eventually(() => b.Node!.Ring.Members.Length == 2 && b.Node.Ring.Transfers.IsEmpty && a.Node!.Ring.Transfers.IsEmpty, "the transfers finished");
        var members = await b.Admin.MemberStatusAsync(new StatusRequest(), secret);
        Assert.Equal(b.Name, members.Node);
        Assert.Equal(a.Name, members.Claimant);
        Assert.Equal([a.Name, b.Name], members.Members.Select(member => member.Name));
        Assert.All(members.Members, member =>
        {
            Assert.Equal("valid", member.Status);
            Assert.Equal(4U, member.Partitions);
            Assert.Equal(50.0, member.RingPercent);
        });

        var ring = await a.Admin.RingStatusAsync(new StatusRequest(), secret);
        Assert.Equal(a.Name, ring.Claimant);
        Assert.True(ring.ClaimantReachable);
        Assert.Equal(a.Node!.Ring.ClusterId, ring.ClusterId);
        Assert.Empty(ring.Pending);

        var transfers = await a.Admin.TransfersAsync(new StatusRequest(), secret);
        Assert.Equal(a.Name, transfers.Node);
        Assert.Equal(4UL, transfers.Completed);

        var trees = await a.Admin.AntiEntropyStatusAsync(new StatusRequest(), secret);
        Assert.True(trees.Enabled);
        Assert.NotEmpty(trees.Trees);
    }

    [Fact]
    public async Task Refused_changes_are_failed_precondition_bad_ones_invalid_argument_and_a_wrong_secret_changes_nothing()
    {
        await using var a = await ServiceNode.StartAsync("a");
        await using var b = await ServiceNode.StartAsync("b");
        async Task<RpcException> Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

        var nothingStaged = await Refused(async () => await a.Admin.CommitAsync(new CommitRequest(), ServiceNode.Secret));
        Assert.Equal(StatusCode.FailedPrecondition, nothingStaged.StatusCode);
        Assert.False(string.IsNullOrEmpty(nothingStaged.Status.Detail));
        var unknown = await Refused(async () =>
            await a.Admin.StageAsync(new StageRequest { Kind = ChangeKind.ForceRemove, Member = "nobody@127.0.0.1:1" }, ServiceNode.Secret));
        Assert.Equal(StatusCode.FailedPrecondition, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Refused(async () => await a.Admin.StageAsync(new StageRequest(), ServiceNode.Secret))).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Refused(async () => await b.Admin.JoinAsync(new JoinRequest(), ServiceNode.Secret))).StatusCode);

        var wrong = new Metadata { { "ringcore-secret", "not-the-secret" } };
        Assert.Equal(StatusCode.Unauthenticated, (await Refused(async () => await b.Admin.JoinAsync(new JoinRequest { Seed = a.Name }, wrong))).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await Refused(async () => await b.Admin.JoinAsync(new JoinRequest { Seed = a.Name }))).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await Refused(async () => await a.Admin.MemberStatusAsync(new StatusRequest()))).StatusCode);

        var plan = await a.Admin.PlanAsync(new PlanRequest(), ServiceNode.Secret);
        Assert.Empty(plan.Changes);
        Assert.Single(a.Node!.Ring.Members);
        Assert.Single(b.Node!.Ring.Members);
    }

    [Fact]
    public async Task A_seed_that_does_not_answer_is_unavailable_and_a_deadline_the_server_sees_pass_is_deadline_exceeded()
    {
        await using var node = await ServiceNode.StartAsync("lonely", nodeOptions: options => options.Membership.RequestTimeout = TimeSpan.FromMilliseconds(500));
        var timedOut = await Assert.ThrowsAsync<RpcException>(async () =>
            await node.Admin.JoinAsync(new JoinRequest { Seed = "gone@127.0.0.1:9" }, ServiceNode.Secret));
        Assert.Equal(StatusCode.Unavailable, timedOut.StatusCode);

        await using var patient = await ServiceNode.StartAsync("patient", nodeOptions: options => options.Membership.RequestTimeout = TimeSpan.FromSeconds(30));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (status, detail) = await RawCalls.WithServerDeadlineAsync(patient.Transport.ListenAddress, "/ringcore.admin.v1.RingAdmin/Join",
            Google.Protobuf.MessageExtensions.ToByteArray(new JoinRequest { Seed = "gone@127.0.0.1:9" }), "300m", ServiceNode.Secret);
        Assert.True(((int)StatusCode.DeadlineExceeded).ToString() == status, detail);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the server answered after {clock.Elapsed}, not at its deadline");
        Assert.Single(patient.Node!.Ring.Members);
    }
}
