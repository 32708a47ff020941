namespace RingCore.Storage;

/// <summary>
/// Opens the store of a partition: the choice of backend for a node (memory here, FASTER in
/// RingCore.Storage.Faster).
/// </summary>
public interface IVNodeStoreProvider
{
    /// <summary>Opens (creating or recovering) the store of <paramref name="partition"/>.</summary>
    ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default);
}
