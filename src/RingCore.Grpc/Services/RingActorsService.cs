using Grpc.Core;
using RingCore.Grpc.Client;

namespace RingCore.Grpc.Services;

/// <summary>
/// The actor half of the client service (proto/ringcore_client.proto, <c>RingActors</c>): asks
/// and tells to per-key actors by type name, key, message type name and serialized payload.
/// </summary>
internal sealed class RingActorsService(GrpcTransport transport) : RingActors.RingActorsBase
{
    public override Task<AskReply> Ask(AskRequest request, ServerCallContext context) =>
        throw ServiceStatus.Error(StatusCode.Unimplemented, $"Node '{ServiceCallInterceptor.NodeOf(transport).Name}' cannot ask actors by name yet.");
}
