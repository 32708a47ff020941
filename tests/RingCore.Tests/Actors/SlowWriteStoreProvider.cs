using RingCore.Storage;

namespace RingCore.Tests.Actors;

/// <summary>
/// Memory stores whose writes take a real pause, to widen races around storing state (e.g.
/// passivation's flush), and which count reads (an actor with durable state reads once per activation).
/// </summary>
internal sealed class SlowWriteStoreProvider(TimeSpan writeDelay) : IVNodeStoreProvider
{
    private readonly MemoryVNodeStoreProvider _inner = new();
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public async ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default) =>
        new SlowWriteStore(await _inner.OpenAsync(partition, cancellationToken), writeDelay, this);

    private sealed class SlowWriteStore(IVNodeStore inner, TimeSpan writeDelay, SlowWriteStoreProvider provider) : IVNodeStore
    {
        public int Partition => inner.Partition;

        public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref provider._reads);
            return inner.GetAsync(key, cancellationToken);
        }

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
