using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FASTER.core;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// A partition's data in a FASTER key-value store on local disk (Chandrasekaran et al., "FASTER: A
/// Concurrent Key-Value Store with In-Place Updates", SIGMOD 2018), in
/// <c>&lt;DataDirectory&gt;/partition-&lt;p&gt;/</c>: the riak_kv backend role that bitcask and
/// leveldb play in Riak. Recent records stay in memory; older ones are read from disk on demand.
/// </summary>
/// <remarks>
/// <para>Durability comes from FASTER checkpoints (fold-over hybrid-log checkpoints during
/// operation, a full index-and-log checkpoint when created and on dispose), taken as
/// <see cref="FasterStorageOptions.CommitMode"/> says: by default a put or delete completes only
/// once a checkpoint covering it has completed, with concurrent writers sharing one checkpoint.</para>
/// <para>Opening recovers the newest checkpoint. Missing or damaged checkpoint or log files raise
/// <see cref="StorageCorruptedException"/>; the store never starts empty over existing data.</para>
/// <para>Safe for concurrent use: each operation rents one of a few FASTER sessions (FASTER
/// sessions are single-threaded). Process-wide, FASTER calls and checkpoints are limited, and
/// when <see cref="FasterStorageOptions.RaiseThreadPoolMinimum"/> is set opening a store raises
/// the thread pool's minimum worker threads, because FASTER's Linux file I/O blocks pool threads
/// and can starve the pool: see <see cref="FasterThreadBudget"/> for the measurements.</para>
/// </remarks>
internal sealed class FasterVNodeStore : IVNodeStore
{
    private static readonly SimpleFunctions<byte[], byte[]> IterationFunctions = new();

    private readonly FasterPartitionDirectory _directory;
    private readonly FasterKvInstance _kv;
    private readonly FasterSessionPool _sessions;
    private readonly FasterGroupCommitter _committer;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _activeOperations;
    private int _disposing;
    private Task? _disposal;

    private FasterVNodeStore(FasterPartitionDirectory directory, FasterKvInstance kv, FasterStorageOptions options, TimeProvider timeProvider)
    {
        _directory = directory;
        _kv = kv;
        _sessions = new FasterSessionPool(kv.Kv);
        _committer = new FasterGroupCommitter(CommitAsync, options.CommitMode, options.CommitInterval, timeProvider);
        _committer.Start();
    }

    /// <inheritdoc />
    public int Partition => _directory.Partition;

    /// <summary>
    /// Opens the store of <paramref name="partition"/> in <paramref name="data"/>: creates it when
    /// its directory does not exist, otherwise checks its files and recovers its newest checkpoint.
    /// </summary>
    /// <exception cref="StorageCorruptedException">The partition's files are missing or damaged.</exception>
    /// <exception cref="IOException">The partition is already open, here or in another process, or cannot be written.</exception>
    public static async ValueTask<FasterVNodeStore> OpenAsync(int partition, FasterStorageOptions options, FasterDataDirectory data, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        if (options.RaiseThreadPoolMinimum)
        {
            FasterThreadBudget.EnsureThreadPoolMinimum();
        }

        var directory = await FasterPartitionDirectory.OpenAsync(partition, options, data, cancellationToken).ConfigureAwait(false);
        FasterKvInstance? kv = null;
        try
        {
            // The files were checked before this (FasterPartitionDirectory.Check): FASTER 2.6.5
            // given damaged logs recovers an empty store or never returns.
            var checkpoint = directory.ChosenCheckpoint;
            kv = FasterKvInstance.Create(directory.Path, options);
            await FasterThreadBudget.Checkpoints.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await kv.Kv.RecoverAsync(checkpoint.IndexToken, checkpoint.LogToken, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                throw directory.RecoveryFailed(checkpoint, exception);
            }
            finally
            {
                FasterThreadBudget.Checkpoints.Release();
            }

            directory.CheckLogCoversRecoveredRange(kv.Kv.Log.BeginAddress, kv.Kv.Log.TailAddress);
            directory.DeleteLogCheckpointsExcept(checkpoint.LogToken);
            return new FasterVNodeStore(directory, kv, options, timeProvider);
        }
        catch
        {
            DisposeQuietly(kv);
            directory.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        StorageLimits.CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        return GetCoreAsync(ArrayOf(key), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default)
    {
        StorageLimits.CheckKey(key);
        StorageLimits.CheckObject(value);
        cancellationToken.ThrowIfCancellationRequested();

        // Copies: FASTER keeps the key and record arrays, and the caller may reuse its buffers.
        return PutCoreAsync(key.ToArray(), FasterRecordFormat.Encode(value), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        StorageLimits.CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        return DeleteCoreAsync(key, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Uses FASTER's iterator over distinct live records, which scans the log once and keeps the
    /// keys it has seen superseded in a temporary in-memory store. Writes made during the fold
    /// may or may not be seen.
    /// </remarks>
    public async IAsyncEnumerable<StoredEntry> FoldAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Enter();
        try
        {
            // The iterator takes FASTER's epoch only inside each GetNext and copies the key and
            // value references out, so it may be advanced from whichever thread resumes us.
            using var iterator = _kv.Kv.Iterate<byte[], byte[], Empty, SimpleFunctions<byte[], byte[]>>(IterationFunctions);
            while (await FasterOperations.NextAsync(iterator).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                byte[] key = iterator.GetKey();
                if (key.Length == 0)
                {
                    continue; // the sentinel (FasterPartitionMarker.SentinelRecord), not the caller's
                }

                byte[] record = iterator.GetValue();
                yield return new StoredEntry(key, FasterRecordFormat.Decode(record, _directory.Path));
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <inheritdoc />
    /// <remarks>The same scan as <see cref="FoldAsync"/>, which costs about as much (the iterator copies every record; bench/README.md), without decoding the records.</remarks>
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Enter();
        try
        {
            long count = 0;
            using var iterator = _kv.Kv.Iterate<byte[], byte[], Empty, SimpleFunctions<byte[], byte[]>>(IterationFunctions);
            while (await FasterOperations.NextAsync(iterator).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (iterator.GetKey().Length > 0)
                {
                    count++; // not the sentinel (FasterPartitionMarker.SentinelRecord)
                }
            }

            return count;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Stops accepting operations, waits for those in flight, takes a final full checkpoint and
    /// releases FASTER, its files and the partition's lock. Safe to call more than once.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 0)
        {
            _disposal = DisposeCoreAsync();
        }

        // A second caller may arrive before the first has stored the task; it then only waits.
        return new ValueTask(_disposal ?? WaitForDisposalAsync());
    }

    private async ValueTask<StoredObject?> GetCoreAsync(byte[] key, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            var session = await _sessions.RentAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var (found, record) = await FasterOperations.ReadAsync(session, key).ConfigureAwait(false);
                return found ? FasterRecordFormat.Decode(record!, _directory.Path) : null;
            }
            finally
            {
                _sessions.Return(session);
            }
        }
        finally
        {
            Exit();
        }
    }

    private async ValueTask PutCoreAsync(byte[] key, byte[] record, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            var session = await _sessions.RentAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await FasterOperations.UpsertAsync(session, key, record).ConfigureAwait(false);
            }
            finally
            {
                _sessions.Return(session);
            }

            await _committer.WrittenAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    private async ValueTask<bool> DeleteCoreAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            bool found;
            var session = await _sessions.RentAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // FASTER's Delete writes a tombstone without looking on disk, so its status cannot
                // say whether the key existed: read first.
                byte[] probe = ArrayOf(key);
                (found, _) = await FasterOperations.ReadAsync(session, probe).ConfigureAwait(false);
                if (found)
                {
                    await FasterOperations.DeleteAsync(session, key.ToArray()).ConfigureAwait(false);
                }
            }
            finally
            {
                _sessions.Return(session);
            }

            if (found)
            {
                await _committer.WrittenAsync(cancellationToken).ConfigureAwait(false);
            }

            return found;
        }
        finally
        {
            Exit();
        }
    }

    private async ValueTask CommitAsync()
    {
        var token = await FasterOperations.CheckpointAsync(_kv.Kv, full: false, _directory.Path).ConfigureAwait(false);
        _directory.DeleteLogCheckpointsExcept(token);
    }

    private async Task DisposeCoreAsync()
    {
        if (Volatile.Read(ref _activeOperations) == 0)
        {
            _drained.TrySetResult();
        }

        await _drained.Task.ConfigureAwait(false);
        try
        {
            await _committer.StopAsync().ConfigureAwait(false);
            var token = await FasterOperations.CheckpointAsync(_kv.Kv, full: true, _directory.Path).ConfigureAwait(false);
            _directory.DeleteLogCheckpointsExcept(token);
        }
        finally
        {
            _sessions.Dispose();
            DisposeQuietly(_kv);
            _directory.Dispose();
        }
    }

    private async Task WaitForDisposalAsync()
    {
        while (Volatile.Read(ref _disposal) is null)
        {
            await Task.Yield();
        }

        await _disposal!.ConfigureAwait(false);
    }

    private void Enter()
    {
        Interlocked.Increment(ref _activeOperations);
        if (Volatile.Read(ref _disposing) != 0)
        {
            Exit();
            throw new ObjectDisposedException(nameof(FasterVNodeStore), $"The store of partition {Partition} is disposed.");
        }
    }

    private void Exit()
    {
        int remaining = Interlocked.Decrement(ref _activeOperations);
        Debug.Assert(remaining >= 0, "Every Exit pairs with an Enter.");
        if (remaining == 0 && Volatile.Read(ref _disposing) != 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>The key's own array when the memory is exactly one (no copy for lookups), else a copy.</summary>
    private static byte[] ArrayOf(ReadOnlyMemory<byte> key) =>
        MemoryMarshal.TryGetArray(key, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : key.ToArray();

    private static void DisposeQuietly(FasterKvInstance? kv)
    {
        try
        {
            kv?.Dispose();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Disposing after a failure must not hide the failure.
            Debug.WriteLine($"Disposing a FASTER store failed: {exception}");
        }
    }
}
