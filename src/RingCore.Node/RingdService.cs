using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RingCore.Claim;
using RingCore.Grpc;
using RingCore.Node;
using RingCore.Storage;
using RingCore.Storage.Faster;

namespace RingCore.Daemon;

/// <summary>
/// The node of the process: in the host's start, the gRPC transport listens, the node starts on
/// a one-member ring (alone, owning every partition) and, with <c>RingCore:Seed</c>, asks the
/// seed to join its cluster (again, with backoff, while the seed does not answer, up to
/// <c>RingCore:JoinTimeout</c>); in the host's stop (SIGTERM, Ctrl+C) a node that is leaving the
/// ring first waits for its handoff (<see cref="RingdShutdown"/>), then the node stops (it
/// refuses new work, its actors finish what they hold and passivate, the stores flush and
/// close), then the transport.
/// </summary>
internal sealed class RingdService(RingdOptions options, ILoggerFactory loggerFactory, IMeterFactory meterFactory) : IHostedService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("ringd");
    private GrpcTransport? _transport;
    private RingNode? _node;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.UsesDevelopmentSecret)
        {
            RingdLog.DevelopmentSecret(_logger);
        }

        _transport = await GrpcTransport.StartAsync(options.Transport, loggerFactory, meterFactory, cancellationToken).ConfigureAwait(false);
        try
        {
            // A port of 0 in the name takes a free port: the transport's name says which.
            options.Node.NodeName = _transport.LocalNode;
            var ring = RingClaim.Initial(options.Node.PartitionCount, [_transport.LocalNode]).Ring;
            var services = new RingNodeServices { Storage = Storage(), LoggerFactory = loggerFactory, MeterFactory = meterFactory };
            _node = await RingNode.StartAsync(options.Node, ring, _transport, configureActors: null, services, cancellationToken).ConfigureAwait(false);
            RingdLog.Listening(_logger, _node.Name, _transport.ListenAddress, options.Backend, ring.PartitionCount);

            if (options.Seed is { } seed)
            {
                await RingdJoin.JoinAsync(_node, seed, options.JoinTimeout, _logger, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // The host does not stop a service whose start failed: stop what started here, so the
            // stores flush and close before the process exits.
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        string name = _node?.Name ?? options.NodeName;
        RingdLog.Stopping(_logger, name);
        var clock = Stopwatch.StartNew();
        if (_node is { } node)
        {
            await RingdShutdown.WaitForHandoffAsync(node, options.Node.ShutdownTimeout, _logger, cancellationToken).ConfigureAwait(false);

            // The host's stop token (HostOptions.ShutdownTimeout) cuts the wait for actors short, as
            // RingCore:ShutdownTimeout does; the stores flush and close either way.
            var result = await node.StopAsync(cancellationToken).ConfigureAwait(false);
            if (!result.IsComplete)
            {
                RingdLog.StoppedIncomplete(_logger, name, result.UnfinishedActors.Count, result.Errors.Count);
            }
        }

        if (_transport is { } transport)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }

        RingdLog.Stopped(_logger, name, clock.Elapsed);
    }

    private IVNodeStoreProvider Storage() => options.Backend switch
    {
        StorageBackend.Memory => new MemoryVNodeStoreProvider(),
        _ => new FasterVNodeStoreProvider(options.Faster),
    };
}
