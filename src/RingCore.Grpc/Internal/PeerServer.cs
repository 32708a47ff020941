using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RingCore.Grpc.Services;

namespace RingCore.Grpc;

/// <summary>
/// The listening side of a transport: Kestrel serving the peer service (and the node's admin and
/// client services, <see cref="NodeServices"/>) over cleartext HTTP/2 (h2c, prior knowledge) or,
/// with a certificate, HTTPS (docs/grpc-transport.md, TLS) on one address, in an ASP.NET Core
/// application of its own that reads no
/// configuration, environment or files (a library must not pick up its host's appsettings).
/// </summary>
internal sealed class PeerServer : IAsyncDisposable
{
    private readonly WebApplication _application;

    private PeerServer(WebApplication application, Uri address)
    {
        _application = application;
        Address = address;
    }

    /// <summary>Where the server listens, as bound (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>Where <paramref name="options"/> say to listen: <c>ListenAddress</c>, else the address in the node name.</summary>
    /// <exception cref="ArgumentException">The host is no IP address or <c>localhost</c>, or <c>localhost</c> with port 0.</exception>
    public static NodeAddress ListenAddressOf(GrpcTransportOptions options)
    {
        NodeAddress listen;
        bool parsed = options.ListenAddress is { } explicitAddress
            ? NodeAddress.TryParse(explicitAddress, out listen)
            : NodeAddress.TryFromNodeName(options.NodeName!, out listen);
        Debug.Assert(parsed, "Validate checked that there is a listen address.");
        if (listen.Host != "localhost" && !IPAddress.TryParse(listen.Host, out _))
        {
            throw new ArgumentException(
                $"RingCore:Grpc:{(options.ListenAddress is null ? "NodeName" : "ListenAddress")} must listen on an IP address or localhost (got '{listen.Host}'); " +
                "set RingCore:Grpc:ListenAddress (0.0.0.0:8101) to listen on every interface under a host name.");
        }

        if (listen.Host == "localhost" && listen.Port == 0)
        {
            throw new ArgumentException("RingCore:Grpc:ListenAddress 'localhost:0' cannot take a free port (Kestrel binds localhost on two addresses); use 127.0.0.1:0.");
        }

        return listen;
    }

    /// <summary>Binds <paramref name="listen"/> and returns once it listens.</summary>
    /// <exception cref="IOException">The address cannot be bound.</exception>
    public static async Task<PeerServer> StartAsync(GrpcTransport transport, NodeAddress listen, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var options = transport.Options;
        int maxMessage = GrpcTransport.MaxMessageBytes(options.MaxPayloadBytes);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());

        // HTTP/2 only: h2c by prior knowledge, or with a certificate TLS whose ALPN offers h2 alone.
        void Endpoint(ListenOptions endpoint)
        {
            endpoint.Protocols = HttpProtocols.Http2;
            if (transport.Certificates is { } certificates)
            {
                endpoint.UseHttps(https => certificates.ConfigureServer(https, options.Tls.RequireClientCertificate, reason =>
                {
                    transport.Metrics.StreamRefused("certificate");
                    GrpcTransportLog.CertificateRefused(transport.Logger, transport.LocalNode, reason);
                }));
            }
        }

        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.KeepAlivePingDelay = options.KeepAliveInterval;
            kestrel.Limits.Http2.KeepAlivePingTimeout = options.KeepAliveInterval;
            if (listen.Host == "localhost")
            {
                kestrel.ListenLocalhost(listen.Port, Endpoint);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(listen.Host), listen.Port, Endpoint);
            }
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc(grpc =>
        {
            // Each way: a peer's message over the limit is refused from its length prefix, unread.
            grpc.MaxReceiveMessageSize = maxMessage;
            grpc.MaxSendMessageSize = maxMessage;
            grpc.EnableDetailedErrors = false;
        });
        builder.Services.AddSingleton(new PeerTransportService(transport));
        NodeServices.Add(builder.Services, transport);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        // The transport's owner (a node, ringd's host) decides when it stops: this inner host must
        // not stop itself on SIGTERM or Ctrl+C, nor print the console lifetime's lines.
        builder.Services.AddSingleton<IHostLifetime, OwnedLifetime>();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        var application = builder.Build();
        application.UseRouting();
        application.MapGrpcService<PeerTransportService>();
        NodeServices.Map(application);
        try
        {
            await application.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await application.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        string bound = application.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PeerServer(application, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    /// <summary>Stops listening and waits (at most 5 seconds) for the streams being served to end; the transport has cancelled them already.</summary>
    public async ValueTask DisposeAsync()
    {
        await _application.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _application.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A host lifetime that waits for nothing and reacts to no signal: the transport starts and stops its server.</summary>
    private sealed class OwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
