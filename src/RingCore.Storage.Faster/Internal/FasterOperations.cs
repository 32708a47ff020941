using System.Diagnostics;
using FASTER.core;
using FasterSession = FASTER.core.ClientSession<byte[], byte[], byte[], byte[], FASTER.core.Empty, FASTER.core.IFunctions<byte[], byte[], byte[], byte[], FASTER.core.Empty>>;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// The FASTER calls a store makes, each inside <see cref="FasterThreadBudget.Operations"/> and
/// each leaving its session with nothing pending, so the session can go back to the pool. None
/// is cancellable once started, for the same reason.
/// </summary>
internal static class FasterOperations
{
    /// <summary>
    /// Reads one key; a record on disk completes asynchronously, holding the session but no thread.
    /// </summary>
    /// <remarks>
    /// FASTER's ReadAsync rather than Read plus CompletePendingWithOutputsAsync: in FASTER 2.6.5
    /// the latter never completed for a disk read made after recovering a checkpoint (found by
    /// FasterVNodeStoreTests.Clean_restart_keeps_every_acknowledged_write_and_delete).
    /// </remarks>
    public static async ValueTask<(bool Found, byte[]? Record)> ReadAsync(FasterSession session, byte[] key)
    {
        ValueTask<FasterKV<byte[], byte[]>.ReadAsyncResult<byte[], byte[], Empty>> reading;
        await FasterThreadBudget.Operations.WaitAsync().ConfigureAwait(false);
        try
        {
            reading = session.ReadAsync(ref key);
        }
        finally
        {
            FasterThreadBudget.Operations.Release();
        }

        var (status, output) = (await reading.ConfigureAwait(false)).Complete();
        if (status.IsFaulted)
        {
            throw new IOException("A FASTER read failed.");
        }

        return status.Found ? (true, output) : (false, null);
    }

    /// <summary>Stores <paramref name="record"/> under <paramref name="key"/>; FASTER keeps both arrays.</summary>
    public static async ValueTask UpsertAsync(FasterSession session, byte[] key, byte[] record)
    {
        await FasterThreadBudget.Operations.WaitAsync().ConfigureAwait(false);
        try
        {
            // A blind upsert reads nothing from disk and is rarely pending; finish it here.
            if (session.Upsert(ref key, ref record).IsPending)
            {
                session.CompletePending(wait: true);
            }
        }
        finally
        {
            FasterThreadBudget.Operations.Release();
        }
    }

    /// <summary>Writes a tombstone for <paramref name="key"/>; FASTER keeps the array.</summary>
    public static async ValueTask DeleteAsync(FasterSession session, byte[] key)
    {
        await FasterThreadBudget.Operations.WaitAsync().ConfigureAwait(false);
        try
        {
            if (session.Delete(ref key).IsPending)
            {
                session.CompletePending(wait: true);
            }
        }
        finally
        {
            FasterThreadBudget.Operations.Release();
        }
    }

    /// <summary>One step of a fold. It may read a log page from disk, blocking its thread, so it counts against the budget.</summary>
    public static async ValueTask<bool> NextAsync(IFasterScanIterator<byte[], byte[]> iterator)
    {
        await FasterThreadBudget.Operations.WaitAsync().ConfigureAwait(false);
        try
        {
            return iterator.GetNext(out _);
        }
        finally
        {
            FasterThreadBudget.Operations.Release();
        }
    }

    /// <summary>
    /// Takes a fold-over checkpoint: flushes the log up to its tail and records that address,
    /// which is cheap since only the pages written since the last checkpoint are flushed (FASTER's
    /// hybrid-log checkpoint). <paramref name="full"/> also saves the hash index, so the next open
    /// does not rebuild it from the whole log.
    /// </summary>
    public static async ValueTask<Guid> CheckpointAsync(FasterKV<byte[], byte[]> kv, bool full, string location)
    {
        await FasterThreadBudget.Checkpoints.WaitAsync().ConfigureAwait(false);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                var (taken, token) = full
                    ? await kv.TakeFullCheckpointAsync(CheckpointType.FoldOver).ConfigureAwait(false)
                    : await kv.TakeHybridLogCheckpointAsync(CheckpointType.FoldOver).ConfigureAwait(false);
                if (taken)
                {
                    return token;
                }

                // FASTER runs one checkpoint at a time and a store asks for one at a time, so
                // this only happens if FASTER started one itself.
                Debug.Assert(attempt < 3, "A store's checkpoints do not overlap.");
                if (attempt == 3)
                {
                    throw new IOException($"FASTER would not start a checkpoint of the store in '{location}'.");
                }

                await kv.CompleteCheckpointAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            FasterThreadBudget.Checkpoints.Release();
        }
    }
}
