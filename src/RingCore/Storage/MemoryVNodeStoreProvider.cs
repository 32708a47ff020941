namespace RingCore.Storage;

/// <summary>Opens in-memory stores; a partition opened twice gets the same store back.</summary>
public sealed class MemoryVNodeStoreProvider : IVNodeStoreProvider
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, MemoryVNodeStore> _stores = new();

    /// <inheritdoc />
    public ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        return new(_stores.GetOrAdd(partition, static p => new MemoryVNodeStore(p)));
    }
}
