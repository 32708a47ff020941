using System.Buffers.Binary;
using System.Diagnostics;
using RingCore.Causality;
using RingCore.Storage;

namespace RingCore.Replication;

/// <summary>
/// The replica side of one partition on one node (riak_kv_vnode's get, put and delete for
/// replicated objects): reads, records client writes under its own replica id, syncs what other
/// replicas send, and reaps tombstones. Each key's read-modify-write is serialized by a striped
/// lock, so two puts of a key never interleave between their read and their write.
/// </summary>
/// <remarks>
/// The replica id carries an epoch persisted in the store and bumped on every start, combined
/// with a random nonce: a store that was wiped starts again at epoch counter 1, and the nonce
/// keeps that from reusing an earlier incarnation's id, whose counters other replicas already
/// hold (riak_kv issue 679, "KV679").
/// </remarks>
internal sealed class ReplicaVNode : IAsyncDisposable
{
    /// <summary>The reserved store key of the epoch counter. User keys start with <see cref="UserKeyPrefix"/>, so none can collide.</summary>
    internal static readonly byte[] EpochKey = [0x00, .. "ringcore.replication.epoch"u8];

    internal const byte UserKeyPrefix = 0x01;

    private const int Stripes = 64;

    private readonly IVNodeStore _store;
    private readonly SemaphoreSlim[] _locks;

    private ReplicaVNode(IVNodeStore store, ReplicaId id, ulong epoch)
    {
        _store = store;
        Id = id;
        Epoch = epoch;
        _locks = new SemaphoreSlim[Stripes];
        for (int i = 0; i < Stripes; i++)
        {
            _locks[i] = new SemaphoreSlim(1, 1);
        }
    }

    public ReplicaId Id { get; }

    // The highest counter this incarnation has issued for any key. A reaped key loses its
    // history, so its next write starts past this instead of at 1 (Riak's per-vnode counter,
    // after KV679); a restart gets a new id, so this needs no persisting.
    private ulong _issued;

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

    public ulong Epoch { get; }

    public int Partition => _store.Partition;

    /// <summary>Starts the vnode: bumps the persisted epoch counter and derives this incarnation's replica id.</summary>
    public static async Task<ReplicaVNode> StartAsync(string node, IVNodeStore store, uint nonce)
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
        return new ReplicaVNode(store, ReplicaId.Create(node, store.Partition, epoch), epoch);
    }

    public async Task<SiblingSet<ReadOnlyMemory<byte>>?> GetAsync(ReadOnlyMemory<byte> key)
    {
        var stored = await _store.GetAsync(key).ConfigureAwait(false);
        return stored is null ? null : SiblingSetCodec.Decode(stored.Value);
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
        var gate = LockOf(key);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var local = await GetAsync(key).ConfigureAwait(false) ?? SiblingSet<ReadOnlyMemory<byte>>.Empty;
            if (lastWriteWins)
            {
                clientWrite = SiblingSet.New(clientWrite.Join().Merge(local.Join()), clientWrite.Values[0]);
            }

            var updated = SiblingSet.Update(clientWrite, local, Id, ByteValueComparer.Instance, Volatile.Read(ref _issued));
            RaiseIssued(updated.Join().Get(Id));
            await StoreAsync(key, updated).ConfigureAwait(false);
            return updated;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Merges a set another replica sent (riak_kv_vnode replica put; dvvset:sync).</summary>
    public async Task<SiblingSet<ReadOnlyMemory<byte>>> ReplicaPutAsync(ReadOnlyMemory<byte> key,
        SiblingSet<ReadOnlyMemory<byte>> incoming, bool lastWriteWins)
    {
        var gate = LockOf(key);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var local = await GetAsync(key).ConfigureAwait(false);
            var merged = local is null ? incoming : SiblingMerge.Merge(local, incoming, lastWriteWins);
            if (local is null || !ReferenceEquals(merged, local))
            {
                await StoreAsync(key, merged).ConfigureAwait(false);
            }

            return merged;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Removes a tombstoned key, but only when this replica still holds exactly the set the
    /// reaper saw: a write that arrived since then must survive (riak_kv_vnode delete with the
    /// object's vclock).
    /// </summary>
    public async Task<bool> ReapAsync(ReadOnlyMemory<byte> key, SiblingSet<ReadOnlyMemory<byte>> expected)
    {
        var gate = LockOf(key);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var local = await GetAsync(key).ConfigureAwait(false);
            if (local is null || !SiblingMerge.AllTombstones(local) || !local.Equals(expected, ByteValueComparer.Instance))
            {
                return false;
            }

            return await _store.DeleteAsync(key).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Closes the store; the node has stopped routing requests here.</summary>
    public ValueTask DisposeAsync() => _store.DisposeAsync();

    private ValueTask StoreAsync(ReadOnlyMemory<byte> key, SiblingSet<ReadOnlyMemory<byte>> set) =>
        _store.PutAsync(key, new StoredObject(SiblingSetCodec.Encode(set)));

    private SemaphoreSlim LockOf(ReadOnlyMemory<byte> key) =>
        _locks[(int)(Hashing.XxHash64.Hash(key.Span) % Stripes)];
}
