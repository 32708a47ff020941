using Google.Protobuf;
using Grpc.Core;
using RingCore.Grpc.Protocol;
using RingCore.Transport;

namespace RingCore.Grpc;

/// <summary>
/// The server side of the peer streams (proto/ringcore_peer.proto): authenticates each stream
/// (<see cref="PeerAuthentication"/>: the secret in its metadata, or a trusted client certificate), then hands its frames to the node's receiver one at a time, in order.
/// </summary>
/// <remarks>
/// Frames are delivered on the stream's own task and the next message is read only after the
/// receiver returned, so the stream is read at the node's pace: a peer that floods it fills the
/// HTTP/2 flow-control windows (Kestrel's, a few hundred KiB per stream) and then waits, instead
/// of this node buffering what it cannot handle yet.
/// </remarks>
internal sealed class PeerTransportService(GrpcTransport transport) : PeerTransport.PeerTransportBase
{
    public override async Task Connect(IAsyncStreamReader<PeerEnvelope> requestStream, IServerStreamWriter<PeerEnvelope> responseStream, ServerCallContext context)
    {
        var headers = context.RequestHeaders;
        string from = headers.GetValue(PeerHeaders.Node) ?? "";
        string? target = headers.GetValue(PeerHeaders.Target);
        if (transport.Authentication.RefusalOf(context) is { } refusal)
        {
            throw Refuse(context, from, "unauthenticated", StatusCode.Unauthenticated, refusal);
        }

        if (!GrpcTransportOptions.IsAscii(from))
        {
            throw Refuse(context, from, "unauthenticated", StatusCode.Unauthenticated, "no node name (ringcore-node)");
        }

        if (target is not null && target != transport.LocalNode)
        {
            throw Refuse(context, from, "wrong_node", StatusCode.FailedPrecondition, $"this is node '{transport.LocalNode}', not '{target}'");
        }

        if (transport.Receiver is not { } receiver)
        {
            throw Refuse(context, from, "not_ready", StatusCode.Unavailable, $"node '{transport.LocalNode}' is not receiving yet");
        }

        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, transport.Stopping);
        await context.WriteResponseHeadersAsync(new Metadata { { PeerHeaders.Node, transport.LocalNode } }).ConfigureAwait(false);
        GrpcTransportLog.StreamAccepted(transport.Logger, transport.LocalNode, from, context.Peer);
        try
        {
            while (await requestStream.MoveNext(ending.Token).ConfigureAwait(false))
            {
                foreach (var frame in requestStream.Current.Frames)
                {
                    Deliver(receiver, from, frame);
                }
            }

            GrpcTransportLog.StreamEnded(transport.Logger, transport.LocalNode, from, "the peer closed it");
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.ResourceExhausted)
        {
            // Grpc.AspNetCore read the message's length prefix and refused it unread.
            transport.Metrics.StreamRefused("oversized");
            GrpcTransportLog.OversizedMessage(transport.Logger, transport.LocalNode, from, GrpcTransport.MaxMessageBytes(transport.MaxPayloadBytes));
            throw;
        }
        catch (InvalidProtocolBufferException error)
        {
            transport.Metrics.StreamRefused("malformed");
            GrpcTransportLog.MalformedEnvelope(transport.Logger, transport.LocalNode, from, error.Message);
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"a message did not parse as a PeerEnvelope: {error.Message}"));
        }
        catch (Exception error) when (ending.IsCancellationRequested && error is OperationCanceledException or IOException or RpcException)
        {
            GrpcTransportLog.StreamEnded(transport.Logger, transport.LocalNode, from, transport.Stopping.IsCancellationRequested ? "this node stopped" : "the peer went away");
        }
    }

    private void Deliver(ITransportReceiver receiver, string from, ByteString frame)
    {
        try
        {
            receiver.Receive(from, frame.Memory);
        }
        catch (Exception error)
        {
            // A receiver must not throw (ITransportReceiver); one that does loses this message only.
            GrpcTransportLog.ReceiverFailed(transport.Logger, error, transport.LocalNode, from);
        }

        transport.Metrics.Received();
    }

    private RpcException Refuse(ServerCallContext context, string from, string reason, StatusCode status, string detail)
    {
        transport.Metrics.StreamRefused(reason);
        GrpcTransportLog.StreamRefused(transport.Logger, transport.LocalNode, from.Length == 0 ? "(unnamed)" : from, context.Peer, detail);
        return new RpcException(new Status(status, detail));
    }
}
