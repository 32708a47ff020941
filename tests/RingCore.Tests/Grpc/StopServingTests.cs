using Google.Protobuf;
using Grpc.Core;
using RingCore.Grpc.Client;
using RingCore.Tests.Actors;

namespace RingCore.Tests.Grpc;

/// <summary>A stopping node's first step (ringd on SIGTERM): new client and admin calls are refused, the ones in flight finish.</summary>
public sealed class StopServingTests
{
    [Fact]
    public async Task Stopping_to_serve_refuses_new_calls_with_unavailable_and_waits_for_the_calls_in_flight()
    {
        await using var node = await ServiceNode.StartAsync("draining");
        var tell = new TellRequest
        {
            ActorType = GrpcCluster.CounterType,
            Key = ByteString.CopyFromUtf8("c"),
            MessageType = typeof(CounterActor.Increment).FullName!,
            Payload = ByteString.CopyFromUtf8("""{"By":1}"""),
        };

        // A stream of tells is a call in flight until its client completes it.
        using var stream = node.Actors.TellStream();
        await stream.RequestStream.WriteAsync(tell);
        await FirstTellHandled(node);
        var stopping = node.Transport.StopServingAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted, "the stop did not wait for the stream in flight");

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await node.Actors.TellAsync(tell));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("stopping", refused.Status.Detail, StringComparison.Ordinal);
        var admin = await Assert.ThrowsAsync<RpcException>(async () => await node.Admin.RingStatusAsync(new RingCore.Grpc.Admin.StatusRequest(), ServiceNode.Secret));
        Assert.Equal(StatusCode.Unavailable, admin.StatusCode);

        await stream.RequestStream.WriteAsync(tell);
        await stream.RequestStream.CompleteAsync();
        Assert.Equal(2UL, (await stream).Accepted);
        Assert.Equal(0, await stopping);
        Assert.Equal(2, await node.Node!.GetActor(GrpcCluster.CounterType, "c").Ask<long>(new CounterActor.Get()));
    }

    [Fact]
    public async Task A_call_that_outlasts_the_timeout_is_counted_and_the_stop_goes_on()
    {
        await using var node = await ServiceNode.StartAsync("draining-late");
        using var stream = node.Actors.TellStream();
        await stream.RequestStream.WriteAsync(new TellRequest
        {
            ActorType = GrpcCluster.CounterType,
            Key = ByteString.CopyFromUtf8("c"),
            MessageType = typeof(CounterActor.Increment).FullName!,
            Payload = ByteString.CopyFromUtf8("{}"),
        });
        await FirstTellHandled(node);
        Assert.Equal(1, await node.Transport.StopServingAsync(TimeSpan.FromMilliseconds(300)));
    }

    /// <summary>
    /// Waits until the stream's first tell reached the actor: only then is the stream a call in
    /// flight on the server (a client's write completes once sent, and on a loaded machine the
    /// server's handler can start long after).
    /// </summary>
    private static async Task FirstTellHandled(ServiceNode node)
    {
        var counter = node.Node!.GetActor(GrpcCluster.CounterType, "c");
        var deadline = DateTime.UtcNow + GrpcTestPeers.Patience;
        while (await counter.Ask<long>(new CounterActor.Get()) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the stream's first tell did not reach the actor");
            await Task.Delay(10);
        }
    }
}
