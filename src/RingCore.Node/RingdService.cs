using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RingCore.Claim;
using RingCore.Daemon.Actors;
using RingCore.Grpc;
using RingCore.Membership;
using RingCore.Node;
using RingCore.Ring;
using RingCore.Storage;
using RingCore.Storage.Faster;

namespace RingCore.Daemon;

/// <summary>
/// The node of the process: in the host's start, the gRPC transport listens, the node starts on
/// a one-member ring (alone, owning every partition), or on the ring it saved in its data
/// directory, with the built-in actor types (<see cref="BuiltInActors"/>); the transport serves it
/// to clients (the admin and client services) and, with <c>RingCore:Seed</c>, the node asks the
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
    private DataDirectoryLock? _lock;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.UsesDevelopmentSecret)
        {
            RingdLog.DevelopmentSecret(_logger);
        }

        _lock = DataDirectoryLock.Acquire(Path.GetFullPath(options.DataDirectory));
        try
        {
            _transport = await GrpcTransport.StartAsync(options.Transport, loggerFactory, meterFactory, cancellationToken).ConfigureAwait(false);

            // A port of 0 in the name takes a free port: the transport's name says which.
            options.Node.NodeName = _transport.LocalNode;
            var ring = SavedRing() ?? RingClaim.Initial(options.Node.PartitionCount, [_transport.LocalNode]).Ring;
            var services = new RingNodeServices { Storage = Storage(), LoggerFactory = loggerFactory, MeterFactory = meterFactory };
            _node = await RingNode.StartAsync(options.Node, ring, _transport, BuiltInActors.Define, services, cancellationToken).ConfigureAwait(false);
            _transport.Serve(_node);
            RingdLog.Listening(_logger, _node.Name, _transport.ListenAddress, options.Backend, ring.PartitionCount);

            if (options.Seed is { } known && ring.Members.Length > 1)
            {
                RingdLog.SeedSkipped(_logger, ring.Members.Length, known);
            }
            else if (options.Seed is { } seed)
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

            // Stop accepting client and admin calls (a client retries them at another node) and
            // let those in flight finish while the node still serves them; then the node stops.
            int unfinished = await _transport!.StopServingAsync(options.Node.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
            if (unfinished > 0)
            {
                RingdLog.CallsUnfinished(_logger, name, unfinished);
            }

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
        _lock?.Dispose(); // last: the stores and the ring file are closed
    }

    /// <summary>
    /// The ring this node kept in its data directory (<see cref="RingdOptions.RingFilePath"/>) when
    /// it lists this node: a restart starts in the cluster it left, not alone. From here on the
    /// node writes its ring there after every change.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged, or holds a ring of another size.</exception>
    private RingState? SavedRing()
    {
        string path = options.RingFilePath;
        options.Node.RingFile = path;
        var saved = RingFile.Load(path);
        if (saved is null)
        {
            return null;
        }

        if (saved.PartitionCount != options.Node.PartitionCount)
        {
            throw new InvalidDataException(
                $"The ring saved in {path} has {saved.PartitionCount} partitions, but RingCore:PartitionCount is {options.Node.PartitionCount}: " +
                "a ring's size cannot change; use the saved size, or another RingCore:DataDirectory.");
        }

        if (saved.IndexOfMember(options.Node.NodeName) < 0)
        {
            RingdLog.RingFileNotMine(_logger, path, options.Node.NodeName);
            return null;
        }

        RingdLog.RingRestored(_logger, path, saved.Version, saved.Members.Length);
        return saved;
    }

    private IVNodeStoreProvider Storage() => options.Backend switch
    {
        StorageBackend.Memory => new MemoryVNodeStoreProvider(),
        _ => new FasterVNodeStoreProvider(options.Faster),
    };
}
