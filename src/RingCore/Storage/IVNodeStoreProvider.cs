namespace RingCore.Storage;

/// <summary>
/// Opens the store of a partition: the choice of backend for a node (memory here, FASTER in
/// RingCore.Storage.Faster).
/// </summary>
public interface IVNodeStoreProvider
{
    /// <summary>
    /// Called by a node once per start, before it opens any partition, with the node's layout. A
    /// provider that keeps data across restarts checks here that the data it holds was written
    /// with the same layout (above all the same partition count) and that its files are sound,
    /// so that a mismatch or damage fails the node's start instead of hiding data. The default
    /// does nothing.
    /// </summary>
    /// <remarks>
    /// A default interface method, so that providers written before it keep compiling and
    /// working unchanged; a provider that wraps another should forward it.
    /// </remarks>
    /// <exception cref="ArgumentException">The stored data was written with another layout; the message names both.</exception>
    /// <exception cref="StorageCorruptedException">Stored files are missing or damaged; the exception names the file.</exception>
    ValueTask AttachAsync(VNodeStoreLayout layout, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>
    /// The partitions whose stores exist (created in this run or an earlier one), so that a node
    /// can find data it holds for partitions it no longer serves (hinted and ownership handoff)
    /// without opening every partition; null when the provider cannot tell, and then a node
    /// looks only at the partitions it opens. The default is null.
    /// </summary>
    IReadOnlyCollection<int>? StoredPartitions => null;

    /// <summary>Opens (creating or recovering) the store of <paramref name="partition"/>.</summary>
    ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default);
}
