using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using RingCore.Diagnostics;
using RingCore.Membership;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Runtime;
using RingCore.Transport;
using RingCore.VNodes;

namespace RingCore.AntiEntropy;

/// <summary>
/// Active anti-entropy on one node (riak_kv_entropy_manager, riak_kv_index_hashtree and
/// riak_kv_exchange_fsm): gives every vnode its Merkle trees, builds them from a fold of the
/// store at start and on the rebuild interval, and on the exchange interval runs a round in
/// which each tree this node is a primary of is compared with each later primary of its
/// preference list; every key found different is repaired on both sides with the merged
/// sibling set (clocks decide, concurrent values stay siblings).
/// </summary>
/// <remarks>
/// <para>Each pair of primaries exchanges once a round: the one earlier in the preference list
/// starts it, and an exchange repairs both sides. A partition whose handoff runs (a pending
/// transfer reaching its keys) is skipped until it ends, on either side.</para>
/// <para>A partition with no store on this node (never opened, nothing from an earlier run) has
/// empty trees without opening one: a peer holding keys there repairs them into it.</para>
/// </remarks>
internal sealed partial class AntiEntropyService : IPeerService, IThreadPoolWorkItem, IDisposable
{
    private readonly string _self;
    private readonly RingManager _routing;
    private readonly MembershipService _membership;
    private readonly PeerRpc _rpc;
    private readonly VNodeTable _vnodes;
    private readonly ReplicationService _replication;
    private readonly IWorkScheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly AntiEntropyOptions _options;
    private readonly RingCoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly VNodeHashTrees?[] _trees;
    private readonly ITimer? _timer;
    private readonly CancellationTokenSource _stopping = new();
    private int _kicked;
    private int _building;
    private int _buildAgain;
    private int _exchanging;
    private int _roundDue;
    private Task _round = Task.CompletedTask;
    private Task _build = Task.CompletedTask;
    private ExchangeRound? _lastRound;
    private readonly ConcurrentDictionary<(int Partition, int N), ExchangeRecord> _records = new();

    public AntiEntropyService(string self, RingManager routing, MembershipService membership, PeerRpc rpc, VNodeTable vnodes, ReplicationService replication,
        IWorkScheduler scheduler, TimeProvider time, AntiEntropyOptions options, RingCoreMetrics metrics, ILogger logger)
    {
        _self = self;
        _routing = routing;
        _membership = membership;
        _rpc = rpc;
        _vnodes = vnodes;
        _replication = replication;
        _scheduler = scheduler;
        _time = time;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _trees = new VNodeHashTrees?[routing.Ring.PartitionCount];
        vnodes.AttachTrees(CreateTrees);
        rpc.Register(PeerFrame.BodyOneofCase.Exchange, this);
        if (options.Enabled)
        {
            _timer = time.CreateTimer(static state => ((AntiEntropyService)state!).Tick(), this, options.ExchangeInterval, options.ExchangeInterval);
        }
    }

    /// <summary>The last round of exchanges this node finished (null: none yet).</summary>
    public ExchangeRound? LastRound => Volatile.Read(ref _lastRound);

    /// <summary>Starts building the trees that are due soon, on the node's scheduler (the start, a peer asking for a tree not built).</summary>
    public void Kick()
    {
        if (_options.Enabled && !_stopping.IsCancellationRequested && Interlocked.Exchange(ref _kicked, 1) == 0)
        {
            _scheduler.Schedule(this);
        }
    }

    /// <summary>The interval: trees due are built, and a round of exchanges starts unless one still runs.</summary>
    private void Tick()
    {
        Volatile.Write(ref _roundDue, 1);
        Kick();
    }

    void IThreadPoolWorkItem.Execute()
    {
        Volatile.Write(ref _kicked, 0);
        if (_stopping.IsCancellationRequested || _membership.HasLeft)
        {
            return;
        }

        if (Interlocked.Exchange(ref _building, 1) == 0)
        {
            Volatile.Write(ref _build, BuildDueAsync());
        }
        else
        {
            Volatile.Write(ref _buildAgain, 1); // the builds running may have passed what prompted this
        }

        if (Interlocked.Exchange(ref _roundDue, 0) == 1 && Interlocked.Exchange(ref _exchanging, 1) == 0)
        {
            Volatile.Write(ref _round, RoundAsync());
        }
    }

    /// <summary>The state of every tree this node is a primary of, by partition and N.</summary>
    public IReadOnlyList<AntiEntropyTreeStatus> Status()
    {
        var view = _routing.Current;
        var now = _time.GetUtcNow();
        var statuses = new List<AntiEntropyTreeStatus>();
        var stored = _vnodes.PartitionsWithStores();
        var ns = _replication.KnownNs();
        for (int partition = 0; partition < view.Ring.PartitionCount; partition++)
        {
            foreach (int n in ns)
            {
                if (!IsPrimary(view, partition, n))
                {
                    continue;
                }

                var trees = Volatile.Read(ref _trees[partition]);
                var record = _records.GetValueOrDefault((partition, n));
                var builtAt = trees?.BuiltAt;
                bool empty = trees is null && !stored.Contains(partition);
                statuses.Add(new AntiEntropyTreeStatus(partition, n, trees?.CountOf(n) ?? 0, empty || trees is { IsReady: true },
                    builtAt, builtAt is { } at ? now - at : null, record.LastExchange, record.KeysRepaired, record.Exchanges));
            }
        }

        return statuses;
    }

    /// <summary>Runs one round of exchanges now and returns what it did (for tests and operators; the interval runs them too).</summary>
    public async Task<ExchangeRound> ExchangeRoundAsync()
    {
        while (Interlocked.Exchange(ref _exchanging, 1) != 0)
        {
            await Volatile.Read(ref _round).ConfigureAwait(false); // the interval's round finishes first
        }

        var round = RoundCoreAsync();
        Volatile.Write(ref _round, round);
        return await round.ConfigureAwait(false);
    }

    /// <summary>Builds now the trees that are due (for tests; the start and the interval do it too).</summary>
    public async Task BuildTreesAsync()
    {
        while (Interlocked.Exchange(ref _building, 1) != 0)
        {
            await Volatile.Read(ref _build).ConfigureAwait(false); // the builds running finish first
        }

        var build = BuildCoreAsync();
        Volatile.Write(ref _build, build);
        await build.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _timer?.Dispose();
    }

    /// <summary>
    /// Records an exchange of the tree of (<paramref name="partition"/>, <paramref name="n"/>):
    /// one this node started, when it ends, or one a peer started, when its roots are asked for;
    /// and keys written here or there by it.
    /// </summary>
    private void Record(int partition, int n, bool exchanged, int keysRepaired)
    {
        var at = _time.GetUtcNow();
        _records.AddOrUpdate((partition, n), static (_, state) => new ExchangeRecord(state.exchanged ? state.at : null, state.keysRepaired, state.exchanged ? 1 : 0),
            static (_, record, state) => new ExchangeRecord(state.exchanged ? state.at : record.LastExchange, record.KeysRepaired + state.keysRepaired,
                record.Exchanges + (state.exchanged ? 1 : 0)),
            (at, exchanged, keysRepaired));
    }

    private VNodeHashTrees CreateTrees(int partition)
    {
        var trees = new VNodeHashTrees(partition, _replication.ReplicasOf, ReportCorrupted, _options.Enabled);
        Volatile.Write(ref _trees[partition], trees);
        Kick(); // built at once if this node is a primary of it: until then a key lost beneath it goes unnoticed
        return trees;
    }

    private void ReportCorrupted(int partition, ReadOnlyMemory<byte> key, InvalidDataException error)
    {
        _metrics.Count(_metrics.CorruptObjects);
        RingCoreLog.CorruptObject(_logger, error, _self, partition, Printable(key.Span));
    }

    private async Task BuildDueAsync()
    {
        try
        {
            await BuildCoreAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException)
        {
            // the node stopped
        }
    }

    /// <summary>Builds, one vnode at a time, the trees of every partition this node is a primary of that are not built, or built longer ago than the rebuild interval.</summary>
    private async Task BuildCoreAsync()
    {
        try
        {
            var stored = _vnodes.PartitionsWithStores();
            var view = _routing.Current;
            int largestN = _replication.KnownNs()[^1];
            for (int partition = 0; partition < view.Ring.PartitionCount && !_stopping.IsCancellationRequested; partition++)
            {
                if (!IsPrimary(view, partition, largestN) || !stored.Contains(partition))
                {
                    continue; // no store: its trees are empty, no build needed
                }

                var vnode = _vnodes.Get(partition);
                var trees = (VNodeHashTrees)vnode.Trees!;
                var now = _time.GetUtcNow();
                if (trees.Building || (trees.BuiltAt is { } at && now - at < _options.TreeRebuildInterval))
                {
                    continue;
                }

                long started = Stopwatch.GetTimestamp();
                try
                {
                    if (await trees.BuildAsync(vnode.FoldAsync(_stopping.Token), _time.GetUtcNow, _stopping.Token).ConfigureAwait(false))
                    {
                        _metrics.Count(_metrics.TreesBuilt);
                        RingCoreLog.TreesBuilt(_logger, _self, partition, trees.TreeNs().Sum(trees.CountOf), Stopwatch.GetElapsedTime(started));
                    }
                }
                catch (Exception error) when (error is not (OperationCanceledException or ObjectDisposedException))
                {
                    RingCoreLog.TreeBuildFailed(_logger, error, _self, partition);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _building, 0);
            if (Interlocked.Exchange(ref _buildAgain, 0) == 1)
            {
                Kick();
            }
        }
    }

    private async Task RoundAsync()
    {
        try
        {
            await RoundCoreAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException)
        {
            // the node stopped
        }
    }

    /// <summary>One round: every (partition, N, later primary) this node starts, at most <see cref="AntiEntropyOptions.MaxConcurrentExchanges"/> at once.</summary>
    private async Task<ExchangeRound> RoundCoreAsync()
    {
        try
        {
            var view = _routing.Current;
            var pending = new ConcurrentQueue<(int Partition, int N, string Peer)>();
            for (int partition = 0; partition < view.Ring.PartitionCount; partition++)
            {
                foreach (int n in _replication.KnownNs())
                {
                    var primaries = PrimariesOf(view, partition, n);
                    int self = primaries.IndexOf(_self);
                    for (int later = self + 1; self >= 0 && later < primaries.Count; later++)
                    {
                        pending.Enqueue((partition, n, primaries[later]));
                    }
                }
            }

            var results = new ConcurrentBag<ExchangeResult>();
            async Task WorkAsync()
            {
                while (!_stopping.IsCancellationRequested && !_membership.HasLeft && pending.TryDequeue(out var exchange))
                {
                    results.Add(await ExchangeAsync(exchange.Partition, exchange.N, exchange.Peer).ConfigureAwait(false));
                }
            }

            await Task.WhenAll(Enumerable.Range(0, _options.MaxConcurrentExchanges).Select(_ => WorkAsync())).ConfigureAwait(false);
            var round = new ExchangeRound([.. results.OrderBy(result => result.Partition).ThenBy(result => result.N).ThenBy(result => result.Peer, StringComparer.Ordinal)]);
            Volatile.Write(ref _lastRound, round);
            return round;
        }
        finally
        {
            Volatile.Write(ref _exchanging, 0);
        }
    }

    /// <summary>The distinct members of the preference list of (<paramref name="partition"/>, <paramref name="n"/>), in order.</summary>
    private static List<string> PrimariesOf(RoutingView view, int partition, int n)
    {
        var primaries = new List<string>(n);
        for (int index = 0; index < n; index++)
        {
            string member = view.PrimaryOf(partition, index);
            if (!primaries.Contains(member))
            {
                primaries.Add(member);
            }
        }

        return primaries;
    }

    private bool IsPrimary(RoutingView view, int partition, int n)
    {
        for (int index = 0; index < n; index++)
        {
            if (view.PrimaryOf(partition, index) == _self)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a handoff may be moving keys of <paramref name="partition"/>'s N-window now: a
    /// pending transfer of a partition whose preference lists reach them (the transfer of q moves
    /// the keys of q - N + 1 .. q).
    /// </summary>
    private static bool HandoffRuns(RingState ring, int partition, int n)
    {
        int mask = ring.PartitionCount - 1;
        foreach (var transfer in ring.Transfers)
        {
            if (((transfer.Partition - partition) & mask) < n)
            {
                return true;
            }
        }

        return false;
    }

    private static string Printable(ReadOnlySpan<byte> key)
    {
        var text = Encoding.UTF8.GetString(key.Length > 64 ? key[..64] : key);
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '.' : source[i];
            }
        });
    }
}

/// <summary>A tree's exchanges so far: when the last one ended (or began, asked by a peer), keys repaired in all, exchanges taken part in.</summary>
internal readonly record struct ExchangeRecord(DateTimeOffset? LastExchange, long KeysRepaired, long Exchanges);
