using RingCore.Storage;
using RingCore.Storage.Faster;
using static RingCore.Tests.Storage.VNodeStoreContractTests;

namespace RingCore.Tests.Storage.Faster;

/// <summary>
/// The thread pool is the host's: opening a FASTER store leaves its minimum alone unless the
/// options say <see cref="FasterStorageOptions.RaiseThreadPoolMinimum"/>, and then raises it to
/// the documented figure, never lowering it.
/// </summary>
/// <remarks>
/// The minimum is process-wide and every test shares the process, so these tests run alone
/// (<see cref="ThreadPoolMinimumCollection"/>) and each starts from a known minimum and puts the
/// previous one back.
/// </remarks>
[Collection(nameof(ThreadPoolMinimumCollection))]
public sealed class FasterThreadPoolMinimumTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly int _workers;
    private readonly int _completionPorts;

    public FasterThreadPoolMinimumTests()
    {
        ThreadPool.GetMinThreads(out _workers, out _completionPorts);
    }

    /// <summary>FasterStorageOptions.RaiseThreadPoolMinimum's figure: max(2, cores) + 2 x max(2, cores / 2) + 4.</summary>
    private static int DocumentedMinimum =>
        Math.Max(2, Environment.ProcessorCount) + 2 * Math.Max(2, Environment.ProcessorCount / 2) + 4;

    public void Dispose()
    {
        ThreadPool.SetMinThreads(_workers, _completionPorts);
        _directory.Dispose();
    }

    [Fact]
    public void Off_by_default() => Assert.False(new FasterStorageOptions().RaiseThreadPoolMinimum);

    [Fact]
    public async Task By_default_opening_and_writing_leave_the_minimum_alone()
    {
        // The runtime's own default, one per core: below the figure, so a raise would show even
        // if an earlier test in this process opted in.
        SetMinimum(Environment.ProcessorCount);

        await using (var store = await new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = _directory.Path }).OpenAsync(0))
        {
            await store.PutAsync(Bytes("k"), new StoredObject(Bytes("v")));
        }

        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        Assert.Equal(Environment.ProcessorCount, workers);
        Assert.Equal(_completionPorts, completionPorts);
    }

    [Fact]
    public async Task Opting_in_raises_the_minimum_to_the_documented_figure()
    {
        SetMinimum(Environment.ProcessorCount);

        await using var store = await new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = _directory.Path, RaiseThreadPoolMinimum = true }).OpenAsync(0);

        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        Assert.Equal(DocumentedMinimum, workers);
        Assert.Equal(_completionPorts, completionPorts);
    }

    [Fact]
    public async Task Opting_in_never_lowers_a_higher_minimum()
    {
        SetMinimum(DocumentedMinimum + 5);

        await using var store = await new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = _directory.Path, RaiseThreadPoolMinimum = true }).OpenAsync(0);

        ThreadPool.GetMinThreads(out int workers, out _);
        Assert.Equal(DocumentedMinimum + 5, workers);
    }

    private void SetMinimum(int workers) =>
        Assert.True(ThreadPool.SetMinThreads(workers, _completionPorts), $"the test could not set the minimum to {workers} worker threads");
}

/// <summary>Tests that change the process-wide thread pool minimum: run with no other test alongside.</summary>
[CollectionDefinition(nameof(ThreadPoolMinimumCollection), DisableParallelization = true)]
public sealed class ThreadPoolMinimumCollection;
