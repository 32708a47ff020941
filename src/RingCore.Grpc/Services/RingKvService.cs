using Google.Protobuf;
using Grpc.Core;
using RingCore.Causality;
using RingCore.Grpc.Client;
using RingCore.Node;
using RingCore.Replication;

namespace RingCore.Grpc.Services;

/// <summary>
/// The key/value half of the client service (proto/ringcore_client.proto, <c>RingKv</c>): get,
/// put and delete with siblings and the opaque causal context, on the node that receives the
/// call as coordinator (riak_kv's client API over the network).
/// </summary>
internal sealed class RingKvService(GrpcTransport transport) : RingKv.RingKvBase
{
    public override async Task<GetReply> Get(GetRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        var result = await node.GetAsync(request.Bucket, request.Key.Memory, QuorumOf(request.Quorum, context)).ConfigureAwait(false);
        var reply = new GetReply { Found = result.Found, Context = ByteString.CopyFrom(result.Context.Bytes.Span) };
        AddValues(reply.Values, result);
        return reply;
    }

    public override async Task<PutReply> Put(PutRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        if (request.Value.Length > RingNode.MaxValueBytes)
        {
            throw ServiceStatus.Error(StatusCode.InvalidArgument,
                $"A value of {request.Value.Length} bytes is over the limit of {RingNode.MaxValueBytes} bytes (RingNode.MaxValueBytes).");
        }

        var causal = ContextOf(request.Context);
        var quorum = QuorumOf(request.Quorum, context);
        if (request.ReturnBody)
        {
            var body = await node.PutWithBodyAsync(request.Bucket, request.Key.Memory, request.Value.Memory, causal, quorum).ConfigureAwait(false);
            var reply = new PutReply { Context = ByteString.CopyFrom(body.Context.Bytes.Span) };
            AddValues(reply.Values, body);
            return reply;
        }

        var written = await node.PutAsync(request.Bucket, request.Key.Memory, request.Value.Memory, causal, quorum).ConfigureAwait(false);
        return new PutReply { Context = ByteString.CopyFrom(written.Bytes.Span) };
    }

    public override async Task<DeleteReply> Delete(DeleteRequest request, ServerCallContext context)
    {
        var node = ServiceCallInterceptor.NodeOf(transport);
        await node.DeleteAsync(request.Bucket, request.Key.Memory, ContextOf(request.Context), QuorumOf(request.Quorum, context)).ConfigureAwait(false);
        return new DeleteReply();
    }

    /// <summary>The context a client sent back; INVALID_ARGUMENT when it is not one a node wrote.</summary>
    private static CausalContext ContextOf(ByteString bytes)
    {
        try
        {
            return CausalContext.FromBytes(bytes.Span);
        }
        catch (FormatException error)
        {
            throw ServiceStatus.Error(StatusCode.InvalidArgument, error.Message);
        }
    }

    /// <summary>The request's quorum overrides (0 is the bucket's default) and a timeout the call's deadline bounds.</summary>
    private static QuorumOptions QuorumOf(Quorum? quorum, ServerCallContext context) => new()
    {
        R = Override(quorum?.R),
        W = Override(quorum?.W),
        PR = Override(quorum?.Pr),
        PW = Override(quorum?.Pw),
        Timeout = CallDeadline.Bound(QuorumOptions.DefaultTimeout, context),
    };

    private static int? Override(uint? value) => value is null or 0 ? null : checked((int)Math.Min(value.Value, int.MaxValue));

    private static void AddValues(Google.Protobuf.Collections.RepeatedField<ByteString> values, GetResult result)
    {
        foreach (var value in result.Values)
        {
            values.Add(ByteString.CopyFrom(value.Span));
        }
    }
}
