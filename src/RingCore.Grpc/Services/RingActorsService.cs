using Google.Protobuf;
using Grpc.Core;
using RingCore.Actors;
using RingCore.Grpc.Client;
using RingCore.Node;

namespace RingCore.Grpc.Services;

/// <summary>
/// The actor half of the client service (proto/ringcore_client.proto, <c>RingActors</c>): asks
/// and tells to per-key actors by type name, key, message type name and serialized payload,
/// routed by the receiving node as its own callers' messages are.
/// </summary>
internal sealed class RingActorsService(GrpcTransport transport) : RingActors.RingActorsBase
{
    /// <summary>The trailer of a TellStream that failed: how many of its tells were accepted before.</summary>
    public const string AcceptedTrailer = "ringcore-accepted";

    public override async Task<AskReply> Ask(AskRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        var timeout = CallDeadline.Bound(request.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(request.TimeoutMs) : node.DefaultAskTimeout, context);
        SerializedReply reply;
        try
        {
            reply = await node.AskSerializedAsync(request.ActorType, request.Key.Memory, request.MessageType, request.Payload.Memory, timeout,
                context.CancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw ServiceStatus.Error(StatusCode.DeadlineExceeded, $"No reply from {request.ActorType} within {timeout.TotalMilliseconds:0} ms.");
        }
        catch (Exception error) when (IsHandlerFailure(error))
        {
            throw ServiceStatus.HandlerFailed(error);
        }

        return new AskReply { Payload = ByteString.CopyFrom(reply.Payload), ReplyType = reply.ReplyType };
    }

    public override Task<TellReply> Tell(TellRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        node.TellSerialized(request.ActorType, request.Key.Memory, request.MessageType, request.Payload.Memory);
        return Task.FromResult(new TellReply { Accepted = 1 });
    }

    public override async Task<TellReply> TellStream(IAsyncStreamReader<TellRequest> requestStream, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        ulong accepted = 0;
        try
        {
            // One tell at a time, read at the node's pace: a client that streams faster than the
            // node accepts waits on HTTP/2 flow control instead of filling this node's memory.
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                var tell = requestStream.Current;
                node.TellSerialized(tell.ActorType, tell.Key.Memory, tell.MessageType, tell.Payload.Memory);
                accepted++;
            }
        }
        catch
        {
            context.ResponseTrailers.Add(AcceptedTrailer, accepted.ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw;
        }

        return new TellReply { Accepted = accepted };
    }

    /// <summary>
    /// Whether an Ask's exception came from the actor's handler (here, or on the hosting node as a
    /// <see cref="RemoteActorException"/>) rather than from the request: the node's own refusals are
    /// an unknown type or message, a bad key or payload (named by their parameter), an unreachable
    /// host, a stopping node and a cancelled wait.
    /// </summary>
    private static bool IsHandlerFailure(Exception error) => error switch
    {
        ArgumentException argument => argument.ParamName is not ("actorType" or "messageType" or "payload" or "key"),
        ActorUnavailableException or ObjectDisposedException or OperationCanceledException or RpcException => false,
        _ => true,
    };
}
