using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RingCore.Actors;
using RingCore.Claim;
using RingCore.Node;
using RingCore.Runtime;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.Hosting;

/// <summary>
/// Starts the node when the host starts (alone: a one-member ring owning every partition) and
/// disposes it when the host stops: actors passivate, storing WriteBehind state, then the
/// stores close. The host's start waits for the storage provider's check
/// (<see cref="IVNodeStoreProvider.AttachAsync"/>), so storage of another ring size or with
/// damaged files, or an actor type defined twice, fails the host's start. With an
/// <see cref="IRingTransportFactory"/> in the container, the transport starts first, the node
/// takes its name and runs on it (still a one-member ring until it joins a cluster), and the
/// transport is disposed after the node stopped.
/// </summary>
internal sealed class RingNodeHostedService(
    RingNodeAccessor accessor,
    IOptions<RingNodeOptions> options,
    IEnumerable<ActorRegistration> actorRegistrations,
    IVNodeStoreProvider storage,
    IWorkScheduler scheduler,
    TimeProvider time,
    IServiceProvider services,
    ILoggerFactory? loggerFactory = null,
    IMeterFactory? meterFactory = null,
    IRingTransportFactory? transportFactory = null) : IHostedService
{
    private ITransport? _transport;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var nodeServices = new RingNodeServices
        {
            Storage = storage,
            Scheduler = scheduler,
            Time = time,
            LoggerFactory = loggerFactory,
            MeterFactory = meterFactory,
        };

        RingNode node;
        try
        {
            node = transportFactory is null
                ? await RingNode.StartAsync(options.Value, DefineActors, nodeServices, cancellationToken).ConfigureAwait(false)
                : await StartOnTransportAsync(transportFactory, nodeServices, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            accessor.StartFailed(error);
            await StopTransportAsync().ConfigureAwait(false);
            throw;
        }

        try
        {
            accessor.Started(node);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            await StopTransportAsync().ConfigureAwait(false);
            throw;
        }
    }

    // The host's stop token cuts the wait for actors short (HostOptions.ShutdownTimeout), as
    // RingCore:ShutdownTimeout does: whichever comes first. The stores close and flush either way,
    // and what could not finish is logged by the node.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (accessor.Stop() is { } node)
        {
            await node.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        await StopTransportAsync().ConfigureAwait(false);
    }

    private async Task<RingNode> StartOnTransportAsync(IRingTransportFactory factory, RingNodeServices nodeServices, CancellationToken cancellationToken)
    {
        _transport = await factory.StartAsync(options.Value, cancellationToken).ConfigureAwait(false);

        // The node is the transport's node: its name says where peers reach it (the bound port
        // when the configured one was 0), and the options the container hands out say so too.
        var nodeOptions = options.Value;
        nodeOptions.NodeName = _transport.LocalNode;
        var ring = RingClaim.Initial(nodeOptions.PartitionCount, [_transport.LocalNode]).Ring;
        return await RingNode.StartAsync(nodeOptions, ring, _transport, DefineActors, nodeServices, cancellationToken).ConfigureAwait(false);
    }

    private async Task StopTransportAsync()
    {
        if (Interlocked.Exchange(ref _transport, null) is { } transport)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void DefineActors(ActorRegistry actors)
    {
        foreach (var registration in actorRegistrations)
        {
            registration.Define(actors, services);
        }
    }
}
