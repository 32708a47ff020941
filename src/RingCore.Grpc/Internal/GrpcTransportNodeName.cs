using Microsoft.Extensions.Options;
using RingCore.Node;

namespace RingCore.Grpc;

/// <summary>The transport's node name, when <c>RingCore:Grpc:NodeName</c> is not set: the node's, <c>RingCore:NodeName</c>.</summary>
internal sealed class GrpcTransportNodeName(IOptions<RingNodeOptions> node) : IPostConfigureOptions<GrpcTransportOptions>
{
    public void PostConfigure(string? name, GrpcTransportOptions options) => options.NodeName ??= node.Value.NodeName;
}
