using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RingCore.Hosting;

namespace RingCore.Grpc;

/// <summary>Chooses the gRPC transport for the node a host runs (<c>services.AddRingCore().UseGrpcTransport()</c>).</summary>
public static class GrpcTransportHostingExtensions
{
    /// <summary>
    /// Runs the host's node on a <see cref="GrpcTransport"/>: the transport starts in the host's
    /// start before the node, the node takes its name (<see cref="GrpcTransport.LocalNode"/>) and
    /// talks over it, and the transport stops after the node in the host's stop.
    /// </summary>
    /// <remarks>
    /// <see cref="GrpcTransportOptions"/> are bound from the configuration section
    /// <c>RingCore:Grpc</c> (<c>RingCore:Grpc:ClusterSecret</c>, <c>RingCore:Grpc:Tls:CertificatePath</c>...),
    /// then edited by <paramref name="configure"/>; <see cref="GrpcTransportOptions.NodeName"/>
    /// defaults to <c>RingCore:NodeName</c>, so <c>n1@127.0.0.1:8101</c> there names the node and
    /// its address at once. They are validated when the host starts: a bad value fails the start
    /// with the setting's path in the message.
    /// </remarks>
    /// <param name="builder">The RingCore builder.</param>
    /// <param name="configure">Edits the transport's options after binding; optional.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IRingCoreBuilder UseGrpcTransport(this IRingCoreBuilder builder, Action<GrpcTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<GrpcTransportOptions>, GrpcTransportOptionsBinding>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<GrpcTransportOptions>, GrpcTransportNodeName>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrpcTransportOptions>, GrpcTransportOptionsValidator>());
        services.AddOptions<GrpcTransportOptions>().ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.Replace(ServiceDescriptor.Singleton<IRingTransportFactory, GrpcTransportFactory>());
        return builder;
    }
}
