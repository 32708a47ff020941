using System.Buffers.Binary;
using System.Diagnostics;
using RingCore.Causality;
using RingCore.Storage;

namespace RingCore.VNodes;

/// <summary>
/// One partition on this node (riak_core_vnode with riak_kv_vnode's get, put and delete): it
/// owns the partition's store, its replica id and epoch, and its table of active per-key actors.
/// Replication and actors both go through it: it reads, records client writes under its replica
/// id, syncs what other replicas send, and reaps tombstones; each key's read-modify-write is
/// serialized by a striped lock, so two puts of a key never interleave between read and write.
/// </summary>
/// <remarks>
/// <para>The vnode exists as soon as a request or a message needs it (an actor's Tell is
/// synchronous), and opens its store in the background: operations wait for that start. A
/// start that failed (a store that could not open) is tried again by the next operation.</para>
/// <para>The replica id carries an epoch persisted in the store and bumped on every start,
/// combined with a random nonce: a store that was wiped starts again at epoch counter 1, and the
/// nonce keeps that from reusing an earlier incarnation's id, whose counters other replicas
/// already hold (riak_kv issue 679, "KV679").</para>
/// </remarks>
internal sealed class VNode
{
    /// <summary>The reserved store key of the epoch counter. User keys start with <see cref="UserKeyPrefix"/>, so none can collide.</summary>
    internal static readonly byte[] EpochKey = [0x00, .. "ringcore.replication.epoch"u8];

    /// <summary>The first byte of every replicated object's store key (bucket objects and actor state alike).</summary>
    internal const byte UserKeyPrefix = 0x01;

    private const int Stripes = 64;

    private readonly string _node;
    private readonly IVNodeStoreProvider _stores;
    private readonly Func<uint> _nonces;
    private readonly SemaphoreSlim[] _locks;
    private readonly Lock _startLock = new();
    private Task<Incarnation> _start;
    private IVNodeActorTable? _actors;
    private readonly IVNodeHashTrees? _trees;

    // The highest counter this incarnation has issued for any key. A reaped key loses its
    // history, so its next write starts past this instead of at 1 (Riak's per-vnode counter,
    // after KV679); a restart gets a new id, so this needs no persisting.
    private ulong _issued;

    // Positive: may hold misplaced objects (the count of marks); negative or zero: a pass found
    // none after the mark of that magnitude. Starts marked: data from an earlier run is looked at once.
    private long _misplaced = 1;

    /// <summary>Creates the vnode of <paramref name="partition"/> and starts opening its store.</summary>
    /// <param name="node">This node's name, part of the replica id.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="stores">Opens the partition's store.</param>
    /// <param name="nonces">Random nonces for replica ids (seeded in a simulation).</param>
    /// <param name="trees">The partition's Merkle trees, told of every store write and delete (null: none).</param>
    public VNode(string node, int partition, IVNodeStoreProvider stores, Func<uint> nonces, IVNodeHashTrees? trees = null)
    {
        _node = node;
        Partition = partition;
        _stores = stores;
        _nonces = nonces;
        _trees = trees;
        _locks = new SemaphoreSlim[Stripes];
        for (int i = 0; i < Stripes; i++)
        {
            _locks[i] = new SemaphoreSlim(1, 1);
        }

        _start = StartAsync(nonces());
    }

    public int Partition { get; }

    /// <summary>The partition's Merkle trees (null when the node keeps none).</summary>
    public IVNodeHashTrees? Trees => _trees;

    /// <summary>The actors active on this vnode (null until the first actor message for its partition).</summary>
    public IVNodeActorTable? Actors => Volatile.Read(ref _actors);

    /// <summary>The vnode's actor table, created by <paramref name="create"/> on first use.</summary>
    public IVNodeActorTable ActorsOrAdd<TState>(Func<VNode, TState, IVNodeActorTable> create, TState state)
    {
        var actors = Volatile.Read(ref _actors);
        if (actors is not null)
        {
            return actors;
        }

        lock (_startLock)
        {
            return _actors ??= create(this, state);
        }
    }

    /// <summary>This incarnation's replica id (waits for the start).</summary>
    public async ValueTask<ReplicaId> IdAsync() => (await StartedAsync().ConfigureAwait(false)).Id;

    /// <summary>
    /// The stored bytes of a key's sibling set, as they are (riak_kv_vnode answers a get with the
    /// stored binary): the coordinator decodes and checks them, so a replica serving a read
    /// decodes and re-encodes nothing. Null when the key is not stored.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>?> GetStoredAsync(ReadOnlyMemory<byte> key)
    {
        var store = (await StartedAsync().ConfigureAwait(false)).Store;
        var stored = await store.GetAsync(key).ConfigureAwait(false);
        return stored?.Value;
    }

    public async Task<SiblingSet<ReadOnlyMemory<byte>>?> GetAsync(ReadOnlyMemory<byte> key)
    {
        var store = (await StartedAsync().ConfigureAwait(false)).Store;
        return await ReadAsync(store, key).ConfigureAwait(false);
    }

    /// <summary>
    /// The sibling sets of <paramref name="keys"/> as stored here (null where a key is absent or
    /// its object fails to decode, which is reported), for anti-entropy.
    /// </summary>
    public async Task<SiblingSet<ReadOnlyMemory<byte>>?[]> GetManyAsync(IReadOnlyList<ReadOnlyMemory<byte>> keys)
    {
        var store = (await StartedAsync().ConfigureAwait(false)).Store;
        return await Task.WhenAll(keys.Select(key => ReadAsync(store, key))).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a client write (riak_kv_vnode coordinating put): the value gets a new dot of this
    /// replica, superseding what its context saw, keeping the rest as siblings. In a
    /// last-write-wins bucket the write supersedes everything this replica holds.
    /// </summary>
    public async Task<SiblingSet<ReadOnlyMemory<byte>>> CoordinatePutAsync(ReadOnlyMemory<byte> key,
        SiblingSet<ReadOnlyMemory<byte>> clientWrite, bool lastWriteWins)
    {
        Debug.Assert(clientWrite.Count == 1 && clientWrite.AnonymousCount == 1, "a client write is one anonymous value");
        var incarnation = await StartedAsync().ConfigureAwait(false);
        var gate = LockOf(key);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            SiblingSet<ReadOnlyMemory<byte>>? held;
            (held, incarnation) = await ReadToWriteAsync(incarnation, key).ConfigureAwait(false);
            var local = held ?? SiblingSet<ReadOnlyMemory<byte>>.Empty;
            if (lastWriteWins)
            {
                clientWrite = SiblingSet.New(clientWrite.Join().Merge(local.Join()), clientWrite.Values[0]);
            }

            var updated = SiblingSet.Update(clientWrite, local, incarnation.Id, ByteValueComparer.Instance, Volatile.Read(ref _issued));
            RaiseIssued(updated.Join().Get(incarnation.Id));
            await WriteAsync(incarnation.Store, key, updated).ConfigureAwait(false);
            return updated;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Merges a set another replica sent (riak_kv_vnode replica put; dvvset:sync), with <paramref name="merge"/> deciding.</summary>
    public async Task<SiblingSet<ReadOnlyMemory<byte>>> ReplicaPutAsync(ReadOnlyMemory<byte> key, SiblingSet<ReadOnlyMemory<byte>> incoming,
        Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> merge)
    {
        var incarnation = await StartedAsync().ConfigureAwait(false);
        var gate = LockOf(key);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var (local, _) = await ReadToWriteAsync(incarnation, key).ConfigureAwait(false);
            var merged = local is null ? incoming : merge(local, incoming);
            if (local is null || !ReferenceEquals(merged, local))
            {
                await WriteAsync(incarnation.Store, key, merged).ConfigureAwait(false);
            }

            return merged;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Merges many sets other replicas sent at once (a handoff batch): it takes the key locks of
    /// every key in the batch (in stripe order, so two batches never wait on each other in a
    /// cycle), reads all, writes every changed one concurrently (a durable store commits them
    /// together, where one put after another would wait for a commit each), and releases.
    /// Returns how many keys' stored objects changed.
    /// </summary>
    public async Task<int> ReplicaPutBatchAsync(IReadOnlyList<(ReadOnlyMemory<byte> Key, SiblingSet<ReadOnlyMemory<byte>> Set,
        Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> Merge)> items)
    {
        var incarnation = await StartedAsync().ConfigureAwait(false);
        var store = incarnation.Store;
        var stripes = new SortedSet<int>();
        foreach (var item in items)
        {
            stripes.Add(StripeOf(item.Key));
        }

        var taken = new List<SemaphoreSlim>(stripes.Count);
        try
        {
            foreach (int stripe in stripes)
            {
                await _locks[stripe].WaitAsync().ConfigureAwait(false);
                taken.Add(_locks[stripe]);
            }

            // Keys repeated in one batch merge into the first occurrence, in order.
            var locals = await Task.WhenAll(items.Select(item => ReadToWriteAsync(incarnation, item.Key))).ConfigureAwait(false);
            var writes = new Dictionary<ReadOnlyMemory<byte>, SiblingSet<ReadOnlyMemory<byte>>>(KeyComparer.Instance);
            for (int i = 0; i < items.Count; i++)
            {
                var (key, incoming, merge) = items[i];
                var local = writes.TryGetValue(key, out var pending) ? pending : locals[i].Set;
                var result = local is null ? incoming : merge(local, incoming);
                if (local is null || !ReferenceEquals(result, local))
                {
                    writes[key] = result;
                }
            }

            await Task.WhenAll(writes.Select(write => WriteAsync(store, write.Key, write.Value).AsTask())).ConfigureAwait(false);
            return writes.Count;
        }
        finally
        {
            foreach (var gate in taken)
            {
                gate.Release();
            }
        }
    }

    /// <summary>
    /// Removes a key, but only when <paramref name="mayReap"/> says so of what this replica
    /// holds now: a write that arrived since the reaper looked must survive (riak_kv_vnode
    /// delete with the object's vclock).
    /// </summary>
    public async Task<bool> ReapAsync(ReadOnlyMemory<byte> key, Func<SiblingSet<ReadOnlyMemory<byte>>, bool> mayReap)
    {
        var store = (await StartedAsync().ConfigureAwait(false)).Store;
        var gate = LockOf(key);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var local = await ReadAsync(store, key).ConfigureAwait(false);
            if (local is null || !mayReap(local) || !await store.DeleteAsync(key).ConfigureAwait(false))
            {
                return false;
            }

            _trees?.Deleted(key.Span);
            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Moves on every event that may have left objects here that this node should not keep: a
    /// write sent to it as a fallback (a hint), a ring change, a start. Handoff clears it
    /// (<see cref="ClearMisplaced"/>) only when a pass over the store found nothing left to
    /// hand off and nothing marked it meanwhile.
    /// </summary>
    public long MisplacedMark => Interlocked.Read(ref _misplaced);

    /// <summary>Records that the vnode may hold objects another node should have (see <see cref="MisplacedMark"/>).</summary>
    public void MarkMisplaced()
    {
        long mark;
        do
        {
            mark = Interlocked.Read(ref _misplaced);
        }
        while (Interlocked.CompareExchange(ref _misplaced, (Math.Abs(mark) + 1), mark) != mark);
    }

    /// <summary>Whether the vnode may hold objects another node should have.</summary>
    public bool MayHoldMisplaced => Interlocked.Read(ref _misplaced) > 0;

    /// <summary>Clears the mark if it is still <paramref name="seen"/> (nothing marked it since the pass that found nothing misplaced began).</summary>
    public bool ClearMisplaced(long seen) => seen > 0 && Interlocked.CompareExchange(ref _misplaced, -seen, seen) == seen;

    /// <summary>Every stored entry of the partition (reserved keys included), for handoff.</summary>
    public async IAsyncEnumerable<StoredEntry> FoldAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var store = (await StartedAsync().ConfigureAwait(false)).Store;
        await foreach (var entry in store.FoldAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    /// <summary>How many objects the partition stores, for a transfer's progress: every entry but the epoch record, which each start writes.</summary>
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default) =>
        Math.Max(0, await (await StartedAsync().ConfigureAwait(false)).Store.CountAsync(cancellationToken).ConfigureAwait(false) - 1);

    /// <summary>
    /// Removes a key only if its stored bytes are still exactly <paramref name="expected"/> (the
    /// bytes handoff sent and every receiver acknowledged): a write that arrived since survives.
    /// </summary>
    /// <remarks>
    /// When the object carries events of this vnode's replica id, their history leaves with it, so
    /// the vnode takes a new id (<see cref="RenewId"/>): a clock entry (id, n) says "saw id's events
    /// 1..n", and a later write of the key here under the same id claimed the events it handed off,
    /// which the primaries then dropped as superseded (riak_kv's KV679 through hinted handoff;
    /// issue 13's partition suite).
    /// </remarks>
    public async Task<bool> DeleteIfUnchangedAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> expected)
    {
        var incarnation = await StartedAsync().ConfigureAwait(false);
        var gate = LockOf(key);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var stored = await incarnation.Store.GetAsync(key).ConfigureAwait(false);
            if (stored is not { } current || !current.Value.Span.SequenceEqual(expected.Span) || !await incarnation.Store.DeleteAsync(key).ConfigureAwait(false))
            {
                return false;
            }

            _trees?.Deleted(key.Span);
            if (SiblingSetCodec.Decode(expected).Join().Get(incarnation.Id) > 0)
            {
                RenewId(incarnation);
            }

            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Removes a key only if the XXH64 of its stored bytes is still <paramref name="expectedHash"/>
    /// (what a finished transfer sent); like <see cref="DeleteIfUnchangedAsync"/>, a deleted object
    /// that carries this vnode's events gives the vnode a new replica id (KV679).
    /// </summary>
    public async Task<bool> DeleteIfHashUnchangedAsync(ReadOnlyMemory<byte> key, ulong expectedHash)
    {
        var incarnation = await StartedAsync().ConfigureAwait(false);
        var gate = LockOf(key);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var stored = await incarnation.Store.GetAsync(key).ConfigureAwait(false);
            if (stored is not { } current || Hashing.XxHash64.Hash(current.Value.Span) != expectedHash
                || !await incarnation.Store.DeleteAsync(key).ConfigureAwait(false))
            {
                return false;
            }

            _trees?.Deleted(key.Span);
            if (SiblingSetCodec.Decode(current.Value).Join().Get(incarnation.Id) > 0)
            {
                RenewId(incarnation);
            }

            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Gives the vnode a new replica id (the same epoch counter, a new nonce) whose history is empty.</summary>
    private void RenewId(Incarnation current)
    {
        lock (_startLock)
        {
            if (!_start.IsCompletedSuccessfully || !ReferenceEquals(_start.Result, current))
            {
                return; // renewed already (another key's delete), or the store reopened with a new id
            }

            ulong epoch = (current.Epoch & 0xFFFF_FFFF_0000_0000UL) | _nonces();
            _start = Task.FromResult(current with { Id = ReplicaId.Create(_node, Partition, epoch), Epoch = epoch });
            Volatile.Write(ref _issued, 0);
        }
    }

    /// <summary>Passivates the vnode's actors, storing WriteBehind state (while the node's peers and stores still serve).</summary>
    public ValueTask<ActorStopOutcome> StopActorsAsync(CancellationToken deadline) =>
        Actors?.StopAsync(deadline) ?? ValueTask.FromResult(ActorStopOutcome.Done);

    /// <summary>Drops the vnode's actors unsaved and stops its timers (a crash); the store is left as it is.</summary>
    public void Abandon() => Actors?.Abandon();

    /// <summary>Closes the store, once the node has stopped routing requests here.</summary>
    public async ValueTask CloseAsync()
    {
        Incarnation incarnation;
        try
        {
            incarnation = await Volatile.Read(ref _start).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // it never opened (its error went to the requests that waited for it): nothing to close
        }

        await incarnation.Store.DisposeAsync().ConfigureAwait(false);
    }

    private Task<Incarnation> StartedAsync()
    {
        var start = Volatile.Read(ref _start);
        if (!start.IsFaulted && !start.IsCanceled)
        {
            return start;
        }

        lock (_startLock)
        {
            if (_start.IsFaulted || _start.IsCanceled)
            {
                _start = StartAsync(_nonces()); // the store failed to open: try again for this request
            }

            return _start;
        }
    }

    /// <summary>Opens the store, bumps the persisted epoch counter and derives this incarnation's replica id.</summary>
    private async Task<Incarnation> StartAsync(uint nonce)
    {
        var store = await _stores.OpenAsync(Partition).ConfigureAwait(false);
        try
        {
            ulong counter = 0;
            var stored = await store.GetAsync(EpochKey).ConfigureAwait(false);
            if (stored is not null && stored.Value.Length == sizeof(ulong))
            {
                counter = BinaryPrimitives.ReadUInt64LittleEndian(stored.Value.Span);
            }

            counter++;
            var bytes = new byte[sizeof(ulong)];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, counter);
            await store.PutAsync(EpochKey, new StoredObject(bytes)).ConfigureAwait(false);
            ulong epoch = (counter << 32) | nonce;
            return new Incarnation(store, ReplicaId.Create(_node, Partition, epoch), epoch);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void RaiseIssued(ulong counter)
    {
        ulong seen = Volatile.Read(ref _issued);
        while (counter > seen)
        {
            ulong observed = Interlocked.CompareExchange(ref _issued, counter, seen);
            if (observed == seen)
            {
                return;
            }

            seen = observed;
        }
    }

    /// <summary>
    /// The decoded set stored under a key. An object that fails to decode (bit rot) is reported
    /// to the trees (logged and counted there) and read as absent, as riak_kv_vnode reads a
    /// corrupted object as not found: the next write of the key, a read repair or an
    /// anti-entropy repair from its peers, replaces it, and until then reads go to the other
    /// replicas instead of failing here forever.
    /// </summary>
    private async Task<SiblingSet<ReadOnlyMemory<byte>>?> ReadAsync(IVNodeStore store, ReadOnlyMemory<byte> key) =>
        (await ReadStoredAsync(store, key).ConfigureAwait(false)).Set;

    /// <summary>As <see cref="ReadAsync"/>, and whether the object was there but failed to decode.</summary>
    private async Task<(SiblingSet<ReadOnlyMemory<byte>>? Set, bool Rotten)> ReadStoredAsync(IVNodeStore store, ReadOnlyMemory<byte> key)
    {
        var stored = await store.GetAsync(key).ConfigureAwait(false);
        if (stored is null)
        {
            return (null, false);
        }

        try
        {
            return (SiblingSetCodec.Decode(stored.Value), false);
        }
        catch (InvalidDataException error)
        {
            _trees?.Corrupted(key.Span, error);
            return (null, true);
        }
    }

    /// <summary>
    /// Reads a key that is about to be written, under its lock. When its copy was lost beneath
    /// the vnode (the object fails to decode, or the trees hold a key the store lacks), the vnode
    /// first takes a new replica id (<see cref="RenewId"/>), and the incarnation returned carries it.
    /// </summary>
    /// <remarks>
    /// The lost copy carried this vnode's events of the key, and other replicas may still hold
    /// values with those dots. A replica id continues from what its vnode holds, so after the
    /// loss a write coordinated here (or after a repair from a replica that missed the latest of
    /// them) would issue a dot the others already hold, or one past them that claims them seen,
    /// and the others would drop acknowledged values as superseded: riak_kv's KV679, a vnode that
    /// cannot read its own writes (riak answers with per-key actor epochs; found here by the
    /// anti-entropy partition suite, issue 14). Renewing the id on the first write that meets the
    /// loss makes every later dot of this vnode new. A key deleted beneath a vnode whose trees are
    /// not built (anti-entropy off, a fallback) goes unnoticed.
    /// </remarks>
    private async Task<(SiblingSet<ReadOnlyMemory<byte>>? Set, Incarnation Incarnation)> ReadToWriteAsync(Incarnation incarnation, ReadOnlyMemory<byte> key)
    {
        var (set, rotten) = await ReadStoredAsync(incarnation.Store, key).ConfigureAwait(false);
        if (rotten || (set is null && _trees?.Holds(key.Span) == true))
        {
            RenewId(incarnation);
            incarnation = await StartedAsync().ConfigureAwait(false);
        }

        return (set, incarnation);
    }

    private async ValueTask WriteAsync(IVNodeStore store, ReadOnlyMemory<byte> key, SiblingSet<ReadOnlyMemory<byte>> set)
    {
        var bytes = SiblingSetCodec.Encode(set);
        await store.PutAsync(key, new StoredObject(bytes)).ConfigureAwait(false);
        _trees?.Written(key.Span, bytes);
    }

    private SemaphoreSlim LockOf(ReadOnlyMemory<byte> key) => _locks[StripeOf(key)];

    private static int StripeOf(ReadOnlyMemory<byte> key) => (int)(Hashing.XxHash64.Hash(key.Span) % Stripes);

    /// <summary>Compares keys by their bytes.</summary>
    private sealed class KeyComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> key) => (int)Hashing.XxHash64.Hash(key.Span);
    }

    private sealed record Incarnation(IVNodeStore Store, ReplicaId Id, ulong Epoch);
}
