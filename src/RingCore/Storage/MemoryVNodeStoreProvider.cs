namespace RingCore.Storage;

/// <summary>
/// Opens in-memory stores; a partition opened twice gets the same store back. Nodes that restart
/// on the same provider (the TestKit's restarts) find their data again, so a restart must keep
/// the partition count: once a store holds data, <see cref="AttachAsync"/> refuses another.
/// </summary>
public sealed class MemoryVNodeStoreProvider : IVNodeStoreProvider
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, MemoryVNodeStore> _stores = new();
    private int _partitionCount;

    /// <inheritdoc />
    public ValueTask AttachAsync(VNodeStoreLayout layout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        int attached = Interlocked.Exchange(ref _partitionCount, layout.PartitionCount);
        if (attached != 0 && attached != layout.PartitionCount && !_stores.IsEmpty)
        {
            Volatile.Write(ref _partitionCount, attached);
            throw new ArgumentException(
                $"These memory stores hold a ring of {attached} partitions; node '{layout.NodeName}' asks for {layout.PartitionCount} " +
                "(RingCore:PartitionCount). Changing the partition count of existing data is not supported.", nameof(layout));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public IReadOnlyCollection<int>? StoredPartitions => [.. _stores.Keys];

    /// <inheritdoc />
    public ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        return new(_stores.GetOrAdd(partition, static p => new MemoryVNodeStore(p)));
    }
}
