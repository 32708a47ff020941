using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// The Orleans side of the peer benchmarks: one silo in this process with the defaults a user
/// gets from <c>UseOrleans</c> and <c>UseLocalhostClustering</c>, grain state in the in-memory
/// provider (<c>AddMemoryGrainStorage</c>), and calls made through the silo's own (co-hosted)
/// client, so no message crosses a socket. The grains are in OrleansGrains.cs.
/// </summary>
/// <remarks>
/// Two departures from a template project, neither on the message path: the host is a bare
/// <see cref="HostBuilder"/>, so nothing logs to the console (Orleans logs nothing per call at
/// the default level either), and the silo and gateway ports are free ones picked at start
/// instead of 11111 and 30000, so a test run of another project on this machine cannot collide
/// with the benchmark. The listeners are on loopback and carry nothing here.
/// </remarks>
internal static class OrleansPeer
{
    /// <summary>The name of the grain storage provider the durable grains use.</summary>
    public const string StorageName = "memory";

    /// <summary>Starts a silo whose grains see <paramref name="workload"/>, and returns its host.</summary>
    public static async Task<IHost> StartAsync(PeerWorkload workload)
    {
        var host = new HostBuilder()
            .UseOrleans(silo => silo
                .UseLocalhostClustering(siloPort: FreeLoopbackPort(), gatewayPort: FreeLoopbackPort())
                .AddMemoryGrainStorage(StorageName))
            .ConfigureServices(services => services.AddSingleton(workload))
            .Build();
        await host.StartAsync().ConfigureAwait(false);
        return host;
    }

    /// <summary>The grain factory of the silo's co-hosted client.</summary>
    public static IGrainFactory Grains(IHost host) => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Stops the silo (deactivating every grain) and disposes its host.</summary>
    public static async Task StopAsync(IHost? host)
    {
        if (host is null)
        {
            return;
        }

        await host.StopAsync().ConfigureAwait(false);
        host.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
