using RingCore.Storage;
using RingCore.Storage.Faster;

namespace RingCore.Tests.Storage.Faster;

/// <summary>Options and helpers shared by the FASTER backend's tests.</summary>
internal static class FasterTestStores
{
    /// <summary>Small pages and memory (~340 records in memory), so tests with a few hundred keys also read from disk.</summary>
    public static FasterStorageOptions SmallOptions(string dataDirectory, FasterCommitMode mode = FasterCommitMode.CommitBeforeAcknowledge) => new()
    {
        DataDirectory = dataDirectory,
        CommitMode = mode,
        LogPageSize = 4 * 1024,
        LogMemorySize = 8 * 1024,
    };

    /// <summary>Opens a store the way an embedder does, through the provider.</summary>
    public static ValueTask<IVNodeStore> OpenAsync(int partition, FasterStorageOptions options) =>
        new FasterVNodeStoreProvider(options).OpenAsync(partition);

    public static string PartitionPath(string dataDirectory, int partition) => Path.Combine(dataDirectory, $"partition-{partition}");

    /// <summary>Writes key-0 .. key-(count-1) with value-i and metadata meta-i.</summary>
    public static async Task WriteKeysAsync(IVNodeStore store, int count, string prefix = "key-", string valuePrefix = "value-")
    {
        for (int i = 0; i < count; i++)
        {
            await store.PutAsync(VNodeStoreContractTests.Bytes(prefix + i), new StoredObject(VNodeStoreContractTests.Bytes(valuePrefix + i), VNodeStoreContractTests.Bytes("meta-" + i)));
        }
    }
}
