using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RingCore.Grpc.Admin;
using RingCore.Grpc.Client;

namespace RingCore.Grpc.Services;

/// <summary>
/// The node's admin and client services on the transport's server, next to the peer service:
/// same address, same message limit (<see cref="GrpcTransportOptions.MaxPayloadBytes"/>), each
/// call through <see cref="ServiceCallInterceptor"/>.
/// </summary>
internal static class NodeServices
{
    /// <summary>Registers the services of <paramref name="transport"/>'s server.</summary>
    public static void Add(IServiceCollection services, GrpcTransport transport)
    {
        Add<RingAdminService>(services, new RingAdminService(transport), RingAdmin.BindService, transport, ServiceAudience.Admin);
        Add<RingKvService>(services, new RingKvService(transport), RingKv.BindService, transport, ServiceAudience.Client);
        Add<RingActorsService>(services, new RingActorsService(transport), RingActors.BindService, transport, ServiceAudience.Client);
    }

    /// <summary>Maps the services registered by <see cref="Add"/>.</summary>
    public static void Map(WebApplication application)
    {
        application.MapGrpcService<ServiceEndpoint<RingAdminService>>();
        application.MapGrpcService<ServiceEndpoint<RingKvService>>();
        application.MapGrpcService<ServiceEndpoint<RingActorsService>>();
    }

    private static void Add<TService>(IServiceCollection services, TService service, Action<ServiceBinderBase, TService> bind, GrpcTransport transport,
        ServiceAudience audience)
        where TService : class
    {
        services.AddSingleton(new ServiceEndpoint<TService>());
        services.AddSingleton<IServiceMethodProvider<ServiceEndpoint<TService>>>(new StrictServiceMethodProvider<TService>(service, bind));
        services.AddGrpc().AddServiceOptions<ServiceEndpoint<TService>>(options => options.Interceptors.Add<ServiceCallInterceptor>(transport, audience));
    }
}
