using RingCore.Storage;
using RingCore.Storage.Faster;

namespace RingCore.Tests.Storage.Faster;

/// <summary>
/// The store contract on the FASTER backend, with a log memory small enough (8 KiB, ~340 records)
/// that the larger tests also read records back from disk.
/// </summary>
public sealed class FasterVNodeStoreContractTests : VNodeStoreContractTests
{
    private readonly TempDirectory _directory = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    protected override async ValueTask<IVNodeStore> OpenFreshStoreAsync(int partition) =>
        await new FasterVNodeStoreProvider(new FasterStorageOptions
        {
            DataDirectory = _directory.Path,
            LogPageSize = 4 * 1024,
            LogMemorySize = 8 * 1024,
        }).OpenAsync(partition);
}
