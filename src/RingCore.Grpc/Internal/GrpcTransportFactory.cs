using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RingCore.Hosting;
using RingCore.Node;
using RingCore.Transport;

namespace RingCore.Grpc;

/// <summary>What <c>UseGrpcTransport</c> registers: starts the host's <see cref="GrpcTransport"/> with the container's options, logging and metrics.</summary>
internal sealed class GrpcTransportFactory(IOptions<GrpcTransportOptions> options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    : IRingTransportFactory
{
    public async Task<ITransport> StartAsync(RingNodeOptions node, CancellationToken cancellationToken) =>
        await GrpcTransport.StartAsync(options.Value, loggerFactory, meterFactory, cancellationToken).ConfigureAwait(false);
}
