using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace RingCore.Grpc;

/// <summary>Binds <see cref="GrpcTransportOptions"/> from <c>RingCore:Grpc</c>; without a configuration in the container they keep their defaults. A value that does not parse fails the host's start naming its path.</summary>
internal sealed class GrpcTransportOptionsBinding(IConfiguration? configuration = null) : IConfigureOptions<GrpcTransportOptions>
{
    public const string Section = "RingCore:Grpc";

    public void Configure(GrpcTransportOptions options) => configuration?.GetSection(Section).Bind(options);
}
