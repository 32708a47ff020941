using RingCore.Storage;

namespace RingCore.VNodes;

/// <summary>
/// The one partition-to-vnode table of a node (riak_core_vnode_manager's role): a vnode is made
/// the first time a request or a message for its partition arrives, whether this node owns the
/// partition or stands in for its owner as a fallback, and lives until the node stops.
/// </summary>
internal sealed class VNodeTable
{
    private readonly string _node;
    private readonly IVNodeStoreProvider _stores;
    private readonly Random _random;
    private readonly VNode?[] _vnodes;
    private readonly Lock _lock = new();
    private bool _closed;
    private Func<int, IVNodeHashTrees>? _trees;

    /// <param name="node">This node's name.</param>
    /// <param name="partitionCount">Q.</param>
    /// <param name="stores">Opens each partition's store.</param>
    /// <param name="random">Seeded source of the replica-id nonces (used under a lock).</param>
    public VNodeTable(string node, int partitionCount, IVNodeStoreProvider stores, Random random)
    {
        _node = node;
        _stores = stores;
        _random = random;
        _vnodes = new VNode?[partitionCount];
    }

    /// <summary>
    /// Gives every vnode made from now on its Merkle trees (anti-entropy, a layer above, makes
    /// them); called once while the node is composed, before any vnode exists.
    /// </summary>
    public void AttachTrees(Func<int, IVNodeHashTrees> trees)
    {
        lock (_lock)
        {
            if (_trees is not null || _vnodes.Any(vnode => vnode is not null))
            {
                throw new InvalidOperationException("The trees are attached once, before the first vnode is made.");
            }

            _trees = trees;
        }
    }

    /// <summary>The vnode of <paramref name="partition"/> if one was made in this run, else null (nothing is opened).</summary>
    public VNode? Find(int partition) => Volatile.Read(ref _vnodes[partition]);

    /// <summary>Hands the node's layout to the storage provider before any partition opens (the provider checks its data against it).</summary>
    public ValueTask AttachAsync(VNodeStoreLayout layout, CancellationToken cancellationToken) => _stores.AttachAsync(layout, cancellationToken);

    /// <summary>The vnode of <paramref name="partition"/>, made (and its store opening) if there is none yet.</summary>
    /// <exception cref="ObjectDisposedException">The node stopped or crashed.</exception>
    public VNode Get(int partition)
    {
        var vnode = Volatile.Read(ref _vnodes[partition]);
        if (vnode is not null && !Volatile.Read(ref _closed))
        {
            return vnode;
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            vnode = _vnodes[partition];
            if (vnode is null)
            {
                vnode = new VNode(_node, partition, _stores, NextNonce, _trees?.Invoke(partition));
                Volatile.Write(ref _vnodes[partition], vnode);
            }

            return vnode;
        }
    }

    /// <summary>
    /// The partitions that may hold data on this node: those opened in this run and those the
    /// storage provider knows from earlier runs (<see cref="IVNodeStoreProvider.StoredPartitions"/>).
    /// </summary>
    public SortedSet<int> PartitionsWithStores()
    {
        var partitions = new SortedSet<int>();
        for (int partition = 0; partition < _vnodes.Length; partition++)
        {
            if (Volatile.Read(ref _vnodes[partition]) is not null)
            {
                partitions.Add(partition);
            }
        }

        if (_stores.StoredPartitions is { } stored)
        {
            foreach (int partition in stored)
            {
                if ((uint)partition < (uint)_vnodes.Length)
                {
                    partitions.Add(partition);
                }
            }
        }

        return partitions;
    }

    /// <summary>Whether <paramref name="partition"/>'s vnode exists in this run (its store opened, or opening).</summary>
    public bool IsOpen(int partition) => Volatile.Read(ref _vnodes[partition]) is not null;

    /// <summary>Marks every opened vnode as possibly holding objects another node should have (the ring changed).</summary>
    public void MarkAllMisplaced()
    {
        foreach (var vnode in _vnodes)
        {
            vnode?.MarkMisplaced();
        }
    }

    /// <summary>Tells every vnode's actors that the ring changed (see <see cref="IVNodeActorTable.Rehome"/>).</summary>
    public void RehomeActors()
    {
        foreach (var vnode in _vnodes)
        {
            vnode?.Actors?.Rehome();
        }
    }

    /// <summary>Actors active on this node's vnodes.</summary>
    public int ActiveActors
    {
        get
        {
            int count = 0;
            foreach (var vnode in _vnodes)
            {
                count += vnode?.Actors?.ActiveActors ?? 0;
            }

            return count;
        }
    }

    /// <summary>
    /// Passivates the actors of every vnode, all vnodes at once, storing their state through the
    /// replicated store (which needs the stores, here and on peers, still open); the vnodes go on
    /// serving replica requests. Later actor messages are refused. At <paramref name="deadline"/>
    /// it stops waiting and reports what was left.
    /// </summary>
    public async ValueTask<ActorStopOutcome> StopActorsAsync(CancellationToken deadline)
    {
        VNode[] vnodes;
        lock (_lock)
        {
            vnodes = Opened();
        }

        var stops = new Task<ActorStopOutcome>[vnodes.Length];
        for (int i = 0; i < vnodes.Length; i++)
        {
            stops[i] = vnodes[i].StopActorsAsync(deadline).AsTask();
        }

        var unfinished = new List<string>();
        var errors = new List<Exception>();
        foreach (var stop in stops)
        {
            try
            {
                var outcome = await stop.ConfigureAwait(false);
                unfinished.AddRange(outcome.Unfinished);
                errors.AddRange(outcome.Errors);
            }
            catch (Exception exception)
            {
                errors.Add(exception);
            }
        }

        return unfinished.Count == 0 && errors.Count == 0 ? ActorStopOutcome.Done : new ActorStopOutcome(unfinished, errors);
    }

    /// <summary>
    /// Stops the node's vnodes: every vnode's actors first (<see cref="StopActorsAsync"/>, until
    /// <paramref name="deadline"/>), then every store, which is closed (and flushed) whatever the
    /// deadline. Requests that arrive afterwards are refused. Calling it again does nothing.
    /// </summary>
    public async ValueTask<ActorStopOutcome> StopAsync(CancellationToken deadline)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return ActorStopOutcome.Done;
            }
        }

        var actors = await StopActorsAsync(deadline).ConfigureAwait(false);

        VNode[] vnodes;
        lock (_lock)
        {
            _closed = true;
            vnodes = Opened(); // vnodes made while the actors passivated are closed too
        }

        var failures = await EachAsync(vnodes, static vnode => vnode.CloseAsync()).ConfigureAwait(false);
        return failures.Count == 0 ? actors : new ActorStopOutcome(actors.Unfinished, [.. actors.Errors, .. failures]);
    }

    /// <summary>
    /// Stops the node the way a crash does: no vnode serves from now on, actors die unsaved, and
    /// the stores are left open and untouched for the next incarnation, which reopens them as a
    /// restarted process would.
    /// </summary>
    public void Halt()
    {
        VNode[] vnodes;
        lock (_lock)
        {
            _closed = true;
            vnodes = Opened();
        }

        foreach (var vnode in vnodes)
        {
            vnode.Abandon();
        }
    }

    /// <summary>Runs <paramref name="step"/> on every vnode in turn, one failure not stopping the rest; returns the failures.</summary>
    private static async ValueTask<List<Exception>> EachAsync(VNode[] vnodes, Func<VNode, ValueTask> step)
    {
        var failures = new List<Exception>();
        foreach (var vnode in vnodes)
        {
            try
            {
                await step(vnode).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        return failures;
    }

    private VNode[] Opened()
    {
        var opened = new List<VNode>();
        foreach (var vnode in _vnodes)
        {
            if (vnode is not null)
            {
                opened.Add(vnode);
            }
        }

        return [.. opened];
    }

    private uint NextNonce()
    {
        lock (_random)
        {
            return (uint)_random.NextInt64(0, 1L << 32);
        }
    }
}
