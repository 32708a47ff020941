using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace RingCore.Storage;

/// <summary>
/// A partition's data in memory (riak_kv_memory_backend): fast, and gone when the process ends.
/// For tests, ephemeral data and nodes whose durability comes from replication alone.
/// </summary>
internal sealed class MemoryVNodeStore : IVNodeStore
{
    private readonly ConcurrentDictionary<byte[], StoredObject> _objects = new(ByteKeyComparer.Instance);

    /// <summary>Creates an empty store for <paramref name="partition"/>.</summary>
    public MemoryVNodeStore(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        Partition = partition;
    }

    /// <inheritdoc />
    public int Partition { get; }

    /// <summary>How many keys the store holds.</summary>
    public int Count => _objects.Count;

    /// <inheritdoc />
    public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        StorageLimits.CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var lookup = _objects.GetAlternateLookup<ReadOnlySpan<byte>>();
        return new(lookup.TryGetValue(key.Span, out var value) ? value : null);
    }

    /// <inheritdoc />
    public ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default)
    {
        StorageLimits.CheckKey(key);
        StorageLimits.CheckObject(value);
        cancellationToken.ThrowIfCancellationRequested();

        // Copy: the caller may reuse its buffers once the put completes.
        var copy = new StoredObject(value.Value.ToArray(), value.Metadata.ToArray());
        _objects[key.ToArray()] = copy;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        StorageLimits.CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var lookup = _objects.GetAlternateLookup<ReadOnlySpan<byte>>();
        return new(lookup.TryRemove(key.Span, out _, out _));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredEntry> FoldAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var (key, value) in _objects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new StoredEntry(key, value);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default) => new(_objects.Count);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
