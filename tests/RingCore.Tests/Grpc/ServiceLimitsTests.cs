using Google.Protobuf;
using Grpc.Core;
using RingCore.Grpc;
using RingCore.Grpc.Client;

namespace RingCore.Tests.Grpc;

/// <summary>What the admin and client services answer to callers they must refuse, and that the node serves on afterwards.</summary>
public sealed class ServiceLimitsTests
{
    private const string Kv = "ringcore.client.v1.RingKv";

    private static PutRequest Put(string key, int bytes = 1) => new() { Bucket = "b", Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(new byte[bytes]) };

    private static GetRequest Get(string key) => new() { Bucket = "b", Key = ByteString.CopyFromUtf8(key) };

    private static async Task<StatusCode> StatusOf(Func<Task> call) => (await Assert.ThrowsAsync<RpcException>(call)).StatusCode;

    [Fact]
    public async Task Before_a_node_is_served_the_services_are_unavailable_after_authentication_and_after_it_stopped_unavailable_again()
    {
        await using var bare = await ServiceNode.StartAsync("bare", serve: false);
        Assert.Equal(StatusCode.Unavailable, await StatusOf(async () => await bare.Kv.GetAsync(Get("k"))));
        Assert.Equal(StatusCode.Unavailable, await StatusOf(async () => await bare.Admin.MemberStatusAsync(new(), ServiceNode.Secret)));
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(async () => await bare.Admin.MemberStatusAsync(new())));

        await using var stopped = await ServiceNode.StartAsync("stopped");
        await stopped.Kv.PutAsync(Put("k"));
        await stopped.Node!.StopAsync();
        Assert.Equal(StatusCode.Unavailable, await StatusOf(async () => await stopped.Kv.GetAsync(Get("k"))));
        Assert.Equal(StatusCode.Unavailable, await StatusOf(async () => await stopped.Kv.PutAsync(Put("k"))));
        Assert.Throws<InvalidOperationException>(() => stopped.Transport.Serve(stopped.Node));
    }

    [Fact]
    public async Task With_a_client_secret_a_client_call_without_it_is_unauthenticated_and_stores_nothing()
    {
        await using var node = await ServiceNode.StartAsync("guarded", transport => transport.ClientSecret = "client-secret");
        var client = new Metadata { { "ringcore-secret", "client-secret" } };
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(async () => await node.Kv.PutAsync(Put("k"))));
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(async () => await node.Kv.PutAsync(Put("k"), ServiceNode.Secret)));
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(async () => await node.Actors.TellAsync(new TellRequest { ActorType = GrpcCluster.CounterType })));

        // The client secret opens the client services only.
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(async () => await node.Admin.MemberStatusAsync(new(), client)));
        Assert.False((await node.Kv.GetAsync(Get("k"), client)).Found);
        Assert.False((await node.Node!.GetAsync("b", "k")).Found);
        await node.Kv.PutAsync(Put("k"), client);
        Assert.True((await node.Kv.GetAsync(Get("k"), client)).Found);
    }

    [Fact]
    public async Task Oversized_malformed_and_unknown_calls_get_their_status_and_the_node_serves_on()
    {
        await using var node = await ServiceNode.StartAsync("limits", transport => transport.MaxPayloadBytes = GrpcTransportOptions.MinPayloadBytes);
        await node.Kv.PutAsync(Put("kept"));

        Assert.Equal(StatusCode.ResourceExhausted, await StatusOf(async () => await node.Kv.PutAsync(Put("big", GrpcTransportOptions.MinPayloadBytes + 1024))));
        Assert.Equal(StatusCode.InvalidArgument, await RawCalls.UnaryAsync(node.Invoker, Kv, "Put", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF]));
        Assert.Equal(StatusCode.InvalidArgument, await RawCalls.UnaryAsync(node.Invoker, "ringcore.admin.v1.RingAdmin", "Stage", [0x0A, 0x7F, 0x01], ServiceNode.Secret));
        Assert.Equal(StatusCode.Unimplemented, await RawCalls.UnaryAsync(node.Invoker, Kv, "Scan", []));
        Assert.Equal(StatusCode.Unimplemented, await RawCalls.UnaryAsync(node.Invoker, "ringcore.client.v1.RingSql", "Query", []));

        Assert.True((await node.Kv.GetAsync(Get("kept"))).Found);
        Assert.False((await node.Kv.GetAsync(Get("big"))).Found);
    }

    [Fact]
    public async Task A_deadline_shorter_than_the_quorum_wait_is_deadline_exceeded_on_the_server()
    {
        await using var cluster = await GrpcCluster.StartAsync(2, partitions: 8);
        cluster.Transports[0].Serve(cluster.Nodes[0]);

        // n2 is gone but not marked down yet (heartbeats take seconds): the put waits for its ack until the deadline.
        await cluster.Nodes[1].DisposeAsync();
        await cluster.Transports[1].DisposeAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var request = new PutRequest { Bucket = "b", Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v"), Quorum = new Quorum { W = 2, Pw = 2 } };
        var (status, detail) = await RawCalls.WithServerDeadlineAsync(cluster.Transports[0].ListenAddress, $"/{Kv}/Put", request.ToByteArray(), "300m", []);
        Assert.True(((int)StatusCode.DeadlineExceeded).ToString() == status, $"{status}: {detail}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the server answered after {clock.Elapsed}, not at the call's deadline");
    }
}
