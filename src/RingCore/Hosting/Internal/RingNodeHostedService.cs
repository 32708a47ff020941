using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RingCore.Actors;
using RingCore.Node;
using RingCore.Runtime;
using RingCore.Storage;

namespace RingCore.Hosting;

/// <summary>
/// Starts the node when the host starts (alone: a one-member ring owning every partition) and
/// disposes it when the host stops: actors passivate, storing WriteBehind state, then the
/// stores close. The host's start waits for the storage provider's check
/// (<see cref="IVNodeStoreProvider.AttachAsync"/>), so storage of another ring size or with
/// damaged files, or an actor type defined twice, fails the host's start.
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
    IMeterFactory? meterFactory = null) : IHostedService
{
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
            node = await RingNode.StartAsync(options.Value, DefineActors, nodeServices, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            accessor.StartFailed(error);
            throw;
        }

        try
        {
            accessor.Started(node);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
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
    }

    private void DefineActors(ActorRegistry actors)
    {
        foreach (var registration in actorRegistrations)
        {
            registration.Define(actors, services);
        }
    }
}
