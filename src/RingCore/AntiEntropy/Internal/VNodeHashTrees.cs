using RingCore.Storage;
using RingCore.VNodes;

namespace RingCore.AntiEntropy;

/// <summary>
/// The Merkle trees of one vnode (riak_kv_index_hashtree): one <see cref="HashTree"/> per
/// preference list whose keys the vnode stores (its partition and an N), kept current by
/// every write and delete the vnode makes, and rebuilt from a fold of the store on start and
/// on an interval. A tree is trusted only once built: until then it does not exchange.
/// </summary>
/// <remarks>
/// <para>A build starts from empty trees and folds the store while writes go on. A key written or
/// deleted after the build began is recorded as it happens and the fold's older view of it is
/// skipped, so the built tree is the store as of the end of the fold, whatever the two interleave.</para>
/// <para>One lock guards the trees: an update is a dictionary probe and five XORs, shorter than
/// any wait for it.</para>
/// </remarks>
internal sealed class VNodeHashTrees : IVNodeHashTrees
{
    private readonly Lock _lock = new();
    private readonly ReplicasOf _replicasOf;
    private readonly Action<int, ReadOnlyMemory<byte>, InvalidDataException> _corrupted;
    private readonly bool _enabled;

    // Indexed by N (null: no key of that N yet). Null until the first build begins: writes
    // before it reach the store, which the build folds.
    private HashTree?[]? _trees;
    private HashSet<byte[]>? _touched;
    private long _build;

    /// <param name="partition">The vnode's partition.</param>
    /// <param name="replicasOf">The N of a stored key (0: a key no tree holds, e.g. a reserved one).</param>
    /// <param name="corrupted">Reports an object that failed to decode (logs and counts it).</param>
    /// <param name="enabled">False: no trees are kept (anti-entropy is off); corruption is still reported.</param>
    public VNodeHashTrees(int partition, ReplicasOf replicasOf, Action<int, ReadOnlyMemory<byte>, InvalidDataException> corrupted, bool enabled)
    {
        Partition = partition;
        _replicasOf = replicasOf;
        _corrupted = corrupted;
        _enabled = enabled;
    }

    public int Partition { get; }

    /// <summary>When the last build finished (null: none finished yet, so no tree exchanges).</summary>
    public DateTimeOffset? BuiltAt { get; private set; }

    /// <summary>Whether a build is running.</summary>
    public bool Building
    {
        get
        {
            lock (_lock)
            {
                return _touched is not null;
            }
        }
    }

    /// <summary>Whether the trees are built and current (a build running or none yet: not ready).</summary>
    public bool IsReady
    {
        get
        {
            lock (_lock)
            {
                return _trees is not null && _touched is null;
            }
        }
    }

    public void Written(ReadOnlySpan<byte> key, ReadOnlySpan<byte> stored)
    {
        if (!_enabled || Volatile.Read(ref _trees) is null)
        {
            return;
        }

        int n = _replicasOf(key);
        if (n <= 0)
        {
            return;
        }

        ulong hash = HashTree.ObjectHashOf(stored);
        lock (_lock)
        {
            TreeOf(n).Set(key, hash);
            _touched?.Add(key.ToArray());
        }
    }

    public void Deleted(ReadOnlySpan<byte> key)
    {
        if (!_enabled || Volatile.Read(ref _trees) is null)
        {
            return;
        }

        int n = _replicasOf(key);
        if (n <= 0)
        {
            return;
        }

        lock (_lock)
        {
            if (n < _trees!.Length)
            {
                _trees[n]?.Remove(key);
            }

            _touched?.Add(key.ToArray());
        }
    }

    public bool Holds(ReadOnlySpan<byte> key)
    {
        if (!_enabled || Volatile.Read(ref _trees) is null)
        {
            return false;
        }

        int n = _replicasOf(key);
        lock (_lock)
        {
            return n > 0 && n < _trees!.Length && _trees[n] is { } tree && tree.TryGet(key, out _);
        }
    }

    public void Corrupted(ReadOnlySpan<byte> key, InvalidDataException error) => _corrupted(Partition, key.ToArray(), error);

    /// <summary>
    /// Builds the trees from <paramref name="fold"/> (the vnode's store), replacing the current
    /// ones, which stop exchanging at once. Returns false when another build started meanwhile.
    /// </summary>
    public async Task<bool> BuildAsync(IAsyncEnumerable<StoredEntry> fold, Func<DateTimeOffset> clock, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return false;
        }

        long build;
        lock (_lock)
        {
            build = ++_build;
            Volatile.Write(ref _trees, new HashTree?[5]);
            _touched = new HashSet<byte[]>(ByteKeyComparer.Instance);
        }

        var pending = new List<(ReadOnlyMemory<byte> Key, int N, ulong Hash)>(BuildBatch);
        await foreach (var entry in fold.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            int n = _replicasOf(entry.Key.Span);
            if (n > 0)
            {
                pending.Add((entry.Key, n, HashTree.ObjectHashOf(entry.Object.Value.Span)));
            }

            if (pending.Count == BuildBatch && !Apply(build, pending))
            {
                return false;
            }
        }

        if (!Apply(build, pending))
        {
            return false;
        }

        lock (_lock)
        {
            if (_build != build)
            {
                return false;
            }

            _touched = null;
            BuiltAt = clock();
        }

        return true;
    }

    /// <summary>Runs <paramref name="read"/> on the tree of N <paramref name="n"/> while holding the lock; null when the trees are not ready.</summary>
    public T? Read<T>(int n, Func<HashTree, T> read)
        where T : class
    {
        lock (_lock)
        {
            if (_trees is null || _touched is not null)
            {
                return null;
            }

            return read(n < _trees.Length && _trees[n] is { } tree ? tree : EmptyTree);
        }
    }

    /// <summary>The N of every tree this vnode holds keys for.</summary>
    public IReadOnlyList<int> TreeNs()
    {
        lock (_lock)
        {
            var ns = new List<int>();
            for (int n = 1; _trees is not null && n < _trees.Length; n++)
            {
                if (_trees[n] is { Count: > 0 })
                {
                    ns.Add(n);
                }
            }

            return ns;
        }
    }

    /// <summary>Keys in the tree of N <paramref name="n"/> (0 when not ready).</summary>
    public int CountOf(int n)
    {
        lock (_lock)
        {
            return _trees is not null && n < _trees.Length ? _trees[n]?.Count ?? 0 : 0;
        }
    }

    private const int BuildBatch = 256;

    private static readonly HashTree EmptyTree = new();

    private bool Apply(long build, List<(ReadOnlyMemory<byte> Key, int N, ulong Hash)> pending)
    {
        lock (_lock)
        {
            if (_build != build)
            {
                return false; // a later build replaced this one
            }

            var touched = _touched!.GetAlternateLookup<ReadOnlySpan<byte>>();
            foreach (var (key, n, hash) in pending)
            {
                if (!touched.Contains(key.Span))
                {
                    TreeOf(n).Set(key.Span, hash);
                }
            }
        }

        pending.Clear();
        return true;
    }

    private HashTree TreeOf(int n)
    {
        var trees = _trees!;
        if (n >= trees.Length)
        {
            Array.Resize(ref trees, n + 1);
            _trees = trees;
        }

        return trees[n] ??= new HashTree();
    }
}

/// <summary>The N of the preference list a stored key belongs to (0: none, a reserved key).</summary>
internal delegate int ReplicasOf(ReadOnlySpan<byte> storeKey);
