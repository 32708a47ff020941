using RingCore.Storage;

namespace RingCore.Tests.Hosting;

/// <summary>Memory stores that count attaches, and how many stores were opened and closed, to see which provider a hosted node uses and that its stop closes them.</summary>
internal sealed class CountingStoreProvider : IVNodeStoreProvider
{
    private readonly MemoryVNodeStoreProvider _inner = new();
    private int _attached;
    private int _opened;
    private int _closed;

    public int Attached => Volatile.Read(ref _attached);

    public int Opened => Volatile.Read(ref _opened);

    public int Closed => Volatile.Read(ref _closed);

    /// <summary>Every key held, over every partition.</summary>
    public async Task<int> CountKeysAsync(int partitionCount)
    {
        int keys = 0;
        for (int partition = 0; partition < partitionCount; partition++)
        {
            keys += ((MemoryVNodeStore)await _inner.OpenAsync(partition)).Count;
        }

        return keys;
    }

    public ValueTask AttachAsync(VNodeStoreLayout layout, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _attached);
        return _inner.AttachAsync(layout, cancellationToken);
    }

    public async ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default)
    {
        var store = await _inner.OpenAsync(partition, cancellationToken);
        Interlocked.Increment(ref _opened);
        return new CountingStore(store, this);
    }

    private sealed class CountingStore(IVNodeStore inner, CountingStoreProvider provider) : IVNodeStore
    {
        public int Partition => inner.Partition;

        public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
            inner.GetAsync(key, cancellationToken);

        public ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default) =>
            inner.PutAsync(key, value, cancellationToken);

        public ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
            inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredEntry> FoldAsync(CancellationToken cancellationToken = default) => inner.FoldAsync(cancellationToken);

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref provider._closed);
            return inner.DisposeAsync();
        }
    }
}
