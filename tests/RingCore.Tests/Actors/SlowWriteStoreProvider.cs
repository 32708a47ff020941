using RingCore.Storage;

namespace RingCore.Tests.Actors;

/// <summary>Memory stores whose writes take a real pause, to widen races around storing state (e.g. passivation's flush).</summary>
internal sealed class SlowWriteStoreProvider(TimeSpan writeDelay) : IVNodeStoreProvider
{
    private readonly MemoryVNodeStoreProvider _inner = new();

    public async ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default) =>
        new SlowWriteStore(await _inner.OpenAsync(partition, cancellationToken), writeDelay);

    private sealed class SlowWriteStore(IVNodeStore inner, TimeSpan writeDelay) : IVNodeStore
    {
        public int Partition => inner.Partition;

        public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
            inner.GetAsync(key, cancellationToken);

        public async ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default)
        {
            await Task.Delay(writeDelay, cancellationToken);
            await inner.PutAsync(key, value, cancellationToken);
        }

        public ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
            inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredEntry> FoldAsync(CancellationToken cancellationToken = default) => inner.FoldAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
