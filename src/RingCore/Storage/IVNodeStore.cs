namespace RingCore.Storage;

/// <summary>
/// The storage of one partition (one vnode): key bytes to <see cref="StoredObject"/>. Like
/// riak_kv's backend behaviour (riak_kv_backend: get, put, delete, fold_objects), one instance
/// per partition, so handoff and anti-entropy can fold over exactly one partition's keys.
/// </summary>
/// <remarks>
/// A completed <see cref="PutAsync"/> or <see cref="DeleteAsync"/> is an acknowledged write: it
/// survives what the backend promises (nothing for memory; a crash of the process for FASTER with
/// its default commit-before-acknowledge setting). Implementations are safe for concurrent use.
/// </remarks>
public interface IVNodeStore : IAsyncDisposable
{
    /// <summary>The partition whose data this store holds.</summary>
    int Partition { get; }

    /// <summary>The object stored under <paramref name="key"/>, or null when there is none.</summary>
    ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>; completes once the write is acknowledged.</summary>
    ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/>; true when it was present. Completes once the delete is acknowledged.</summary>
    ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default);

    /// <summary>Every key of the partition with its object, in no particular order (for handoff and anti-entropy).</summary>
    IAsyncEnumerable<StoredEntry> FoldAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// How many keys the partition holds now (tombstones included), for a transfer's progress. The
    /// default folds over every object; a backend that keeps a count returns it at once.
    /// </summary>
    async ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        long count = 0;
        await foreach (var _ in FoldAsync(cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }
}
