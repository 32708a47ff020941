using System.Text;
using Google.Protobuf;
using Grpc.Core;
using RingCore.Grpc.Client;
using RingCore.Tests.Actors;
using static RingCore.Tests.Grpc.GrpcTestPeers;

namespace RingCore.Tests.Grpc;

/// <summary>The actor client service (RingActors) through its generated client: ask, tell, streamed tells, and a handler that throws.</summary>
public sealed class ActorServiceTests
{
    private static readonly string Increment = typeof(CounterActor.Increment).FullName!;
    private static readonly string Get = typeof(CounterActor.Get).FullName!;
    private static readonly string Fail = typeof(CounterActor.Fail).FullName!;

    private static AskRequest Ask(string messageType, string json, string key = "c") => new()
    {
        ActorType = GrpcCluster.CounterType,
        Key = ByteString.CopyFromUtf8(key),
        MessageType = messageType,
        Payload = ByteString.CopyFromUtf8(json),
    };

    private static TellRequest Tell(string json, string messageType = "") => new()
    {
        ActorType = GrpcCluster.CounterType,
        Key = ByteString.CopyFromUtf8("c"),
        MessageType = messageType is "" ? Increment : messageType,
        Payload = ByteString.CopyFromUtf8(json),
    };

    [Fact]
    public async Task Ask_tell_and_a_stream_of_tells_reach_the_actor_and_a_throwing_handler_is_aborted_with_its_message()
    {
        await using var node = await ServiceNode.StartAsync("actors");
        var none = await node.Actors.AskAsync(Ask(Increment, """{"By":5}"""));
        Assert.Equal("", none.ReplyType);
        Assert.True(none.Payload.IsEmpty);

        var tell = await node.Actors.TellAsync(Tell("""{"By":1}"""));
        Assert.Equal(1UL, tell.Accepted);
        using (var stream = node.Actors.TellStream())
        {
            for (int i = 0; i < 10; i++)
            {
                await stream.RequestStream.WriteAsync(Tell("""{"By":1}"""));
            }

            await stream.RequestStream.CompleteAsync();
            Assert.Equal(10UL, (await stream).Accepted);
        }

        // Tells are handled in order after the ask, and the Get is queued behind them.
        var value = await node.Actors.AskAsync(Ask(Get, "{}"));
        Assert.Equal("System.Int64", value.ReplyType);
        Assert.Equal("16", value.Payload.ToStringUtf8());

        var failed = await Assert.ThrowsAsync<RpcException>(async () => await node.Actors.AskAsync(Ask(Fail, """{"Why":"no thanks"}""")));
        Assert.Equal(StatusCode.Aborted, failed.StatusCode);
        Assert.Contains("no thanks", failed.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("16", (await node.Actors.AskAsync(Ask(Get, "{}"))).Payload.ToStringUtf8());
    }

    [Fact]
    public async Task Unknown_types_and_unreadable_payloads_are_invalid_argument_and_a_bad_tell_ends_its_stream_with_the_count_accepted()
    {
        await using var node = await ServiceNode.StartAsync("actors-bad");
        async Task<StatusCode> AskStatus(AskRequest request) =>
            (await Assert.ThrowsAsync<RpcException>(async () => await node.Actors.AskAsync(request))).StatusCode;

        var unknownType = Ask(Get, "{}");
        unknownType.ActorType = "nope";
        Assert.Equal(StatusCode.InvalidArgument, await AskStatus(unknownType));
        Assert.Equal(StatusCode.InvalidArgument, await AskStatus(Ask("No.Such.Message", "{}")));
        Assert.Equal(StatusCode.InvalidArgument, await AskStatus(Ask(Increment, "not json")));
        Assert.Equal(StatusCode.InvalidArgument, await AskStatus(Ask(Get, "{}", key: "")));
        var tell = await Assert.ThrowsAsync<RpcException>(async () => await node.Actors.TellAsync(Tell("{}", "No.Such.Message")));
        Assert.Equal(StatusCode.InvalidArgument, tell.StatusCode);

        using var stream = node.Actors.TellStream();
        await stream.RequestStream.WriteAsync(Tell("""{"By":1}"""));
        await stream.RequestStream.WriteAsync(Tell("""{"By":1}"""));
        await stream.RequestStream.WriteAsync(Tell("not json"));
        try
        {
            await stream.RequestStream.WriteAsync(Tell("""{"By":100}"""));
            await stream.RequestStream.CompleteAsync();
        }
        catch (Exception error) when (error is RpcException or InvalidOperationException)
        {
            // The server may have ended the call already.
        }

        var ended = await Assert.ThrowsAsync<RpcException>(async () => await stream);
        Assert.Equal(StatusCode.InvalidArgument, ended.StatusCode);
        Assert.Equal("2", ended.Trailers.GetValue("ringcore-accepted"));
        Assert.Equal("2", Encoding.UTF8.GetString((await node.Actors.AskAsync(Ask(Get, "{}"))).Payload.Span));
    }
}
