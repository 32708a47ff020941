using BenchmarkDotNet.Attributes;
using RingCore.Storage;
using RingCore.Storage.Faster;

namespace RingCore.Benchmarks.Storage;

/// <summary>
/// One FASTER partition store with its defaults (commit before acknowledge: a put completes once
/// a checkpoint with fsync covers it), the figures behind a node's durable write rate and a
/// transfer's pace: one put at a time (a commit each), a batch of concurrent puts (one group
/// commit, as a handoff batch or a turn of writes is), and a pass over 1,000 objects of 16 KiB by
/// <see cref="IVNodeStore.FoldAsync"/> (what a transfer sends) and by
/// <see cref="IVNodeStore.CountAsync"/> (the total a watched transfer reports).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FasterStoreBenchmarkConfig))]
public class FasterStoreBenchmarks
{
    private const int Batch = 64;
    private const int Stored = 1_000;

    private readonly byte[] _small = new byte[1_000];
    private string _directory = null!;
    private IVNodeStore _writes = null!;
    private IVNodeStore _full = null!;
    private long _next;

    /// <summary>Opens two partitions in a fresh directory: one to write to, one holding 1,000 objects of 16 KiB.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "ringcore-bench-" + Guid.NewGuid().ToString("N"));
        var provider = new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = _directory, RaiseThreadPoolMinimum = true });
        _writes = await provider.OpenAsync(0).ConfigureAwait(false);
        _full = await provider.OpenAsync(1).ConfigureAwait(false);
        var large = new byte[16 * 1024];
        for (int i = 0; i < Stored; i += Batch)
        {
            await Task.WhenAll(Enumerable.Range(i, Math.Min(Batch, Stored - i))
                .Select(k => _full.PutAsync(BitConverter.GetBytes(k), new StoredObject(large)).AsTask())).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the stores and deletes the directory.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _writes.DisposeAsync().ConfigureAwait(false);
        await _full.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>One put of 1 KB, acknowledged once committed.</summary>
    [Benchmark]
    public ValueTask OnePut() => _writes.PutAsync(BitConverter.GetBytes(_next++), new StoredObject(_small));

    /// <summary>64 concurrent puts of 1 KB, committed together; one operation is one put.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public Task ConcurrentPuts()
    {
        var puts = new Task[Batch];
        for (int i = 0; i < Batch; i++)
        {
            puts[i] = _writes.PutAsync(BitConverter.GetBytes(_next++), new StoredObject(_small)).AsTask();
        }

        return Task.WhenAll(puts);
    }

    /// <summary>Every object of the full partition, decoded (16 MB).</summary>
    [Benchmark]
    public async Task<long> Fold()
    {
        long bytes = 0;
        await foreach (var entry in _full.FoldAsync().ConfigureAwait(false))
        {
            bytes += entry.Object.Value.Length;
        }

        return bytes == (long)Stored * 16 * 1024 ? bytes : throw new InvalidOperationException($"The fold read {bytes} bytes.");
    }

    /// <summary>The full partition's count, the same scan without decoding.</summary>
    [Benchmark]
    public async Task<long> Count()
    {
        long count = await _full.CountAsync().ConfigureAwait(false);
        return count == Stored ? count : throw new InvalidOperationException($"The count is {count}.");
    }
}
