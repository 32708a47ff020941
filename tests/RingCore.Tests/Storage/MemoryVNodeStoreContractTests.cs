using RingCore.Storage;

namespace RingCore.Tests.Storage;

/// <summary>The store contract on the in-memory backend.</summary>
public sealed class MemoryVNodeStoreContractTests : VNodeStoreContractTests
{
    protected override ValueTask<IVNodeStore> OpenFreshStoreAsync(int partition) =>
        new MemoryVNodeStoreProvider().OpenAsync(partition);
}

/// <summary>
/// The contract on a backend that does not count by itself (a user's own store): the interface's
/// CountAsync folds.
/// </summary>
public sealed class UncountedVNodeStoreContractTests : VNodeStoreContractTests
{
    protected override async ValueTask<IVNodeStore> OpenFreshStoreAsync(int partition) =>
        new Uncounted(await new MemoryVNodeStoreProvider().OpenAsync(partition));

    /// <summary>Everything but CountAsync, forwarded.</summary>
    private sealed class Uncounted(IVNodeStore inner) : IVNodeStore
    {
        public int Partition => inner.Partition;

        public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default) => inner.PutAsync(key, value, cancellationToken);

        public ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredEntry> FoldAsync(CancellationToken cancellationToken = default) => inner.FoldAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
