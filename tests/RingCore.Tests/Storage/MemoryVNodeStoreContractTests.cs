using RingCore.Storage;

namespace RingCore.Tests.Storage;

/// <summary>The store contract on the in-memory backend.</summary>
public sealed class MemoryVNodeStoreContractTests : VNodeStoreContractTests
{
    protected override ValueTask<IVNodeStore> OpenFreshStoreAsync(int partition) =>
        new MemoryVNodeStoreProvider().OpenAsync(partition);
}
