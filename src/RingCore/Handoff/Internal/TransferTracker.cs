using System.Collections.Concurrent;

namespace RingCore.Handoff;

/// <summary>The progress of the transfers a node is sending now, for <see cref="TransferProgress"/> reports; what finished is counted, not kept.</summary>
internal sealed class TransferTracker(string self, TimeProvider time)
{
    private readonly ConcurrentDictionary<(int Partition, string To, TransferProgressKind Kind), Entry> _running = new();
    private long _completed;

    /// <summary>Transfers (ownership and repair) that finished since the node started.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>
    /// Starts tracking one transfer (or returns the one already tracked under the same partition,
    /// target and kind). <paramref name="count"/>, when given, counts what the transfer will send:
    /// it runs once, the first time a report asks (<see cref="Snapshot"/>), so a transfer nobody
    /// watches never pays for it.
    /// </summary>
    public Entry Start(int partition, string to, TransferProgressKind kind, Func<CancellationToken, Task<long>>? count = null) =>
        _running.GetOrAdd((partition, to, kind), static (id, state) => new Entry(state.time.GetUtcNow(), state.time.GetTimestamp(), state.count),
            (time, count));

    /// <summary>Stops tracking it (and its count, if one runs); <paramref name="completed"/> counts it as finished.</summary>
    public void End(int partition, string to, TransferProgressKind kind, bool completed)
    {
        if (_running.TryRemove((partition, to, kind), out var entry))
        {
            entry.StopCounting();
        }

        if (completed)
        {
            Interlocked.Increment(ref _completed);
        }
    }

    /// <summary>Stops tracking every transfer of one partition and kind (a hinted handoff pass over a vnode, to each of its targets).</summary>
    public void EndAll(int partition, TransferProgressKind kind)
    {
        foreach (var id in _running.Keys)
        {
            if (id.Partition == partition && id.Kind == kind && _running.TryRemove(id, out var entry))
            {
                entry.StopCounting();
            }
        }
    }

    /// <summary>Every running transfer's progress; starts the count of those that have one and have not counted yet.</summary>
    public IReadOnlyList<TransferProgress> Snapshot()
    {
        long now = time.GetTimestamp();
        return [.. _running
            .Select(pair =>
            {
                pair.Value.StartCounting();
                return new TransferProgress(pair.Key.Partition, self, pair.Key.To, pair.Key.Kind, pair.Value.Objects, pair.Value.Bytes,
                    pair.Value.StartedAt, time.GetElapsedTime(pair.Value.StartedTimestamp, now)) { ObjectsTotal = pair.Value.Total };
            })
            .OrderBy(progress => progress.Partition).ThenBy(progress => progress.To, StringComparer.Ordinal)];
    }

    /// <summary>One running transfer's counters, added to as its batches are acknowledged.</summary>
    public sealed class Entry(DateTimeOffset startedAt, long startedTimestamp, Func<CancellationToken, Task<long>>? count)
    {
        private readonly CancellationTokenSource _counting = new();
        private long _objects;
        private long _bytes;
        private long _total = -1;
        private int _countStarted;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public long StartedTimestamp { get; } = startedTimestamp;

        public long Objects => Interlocked.Read(ref _objects);

        public long Bytes => Interlocked.Read(ref _bytes);

        /// <summary>What the transfer will send at most, once counted.</summary>
        public long? Total => Interlocked.Read(ref _total) is >= 0 and var total ? total : null;

        public void Add(long objects, long bytes)
        {
            Interlocked.Add(ref _objects, objects);
            Interlocked.Add(ref _bytes, bytes);
        }

        internal void StartCounting()
        {
            if (count is not null && Interlocked.Exchange(ref _countStarted, 1) == 0)
            {
                _ = CountAsync(count);
            }
        }

        internal void StopCounting() => _counting.Cancel();

        private async Task CountAsync(Func<CancellationToken, Task<long>> counter)
        {
            try
            {
                Interlocked.Exchange(ref _total, await counter(_counting.Token).ConfigureAwait(false));
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                // Stopped, closed or the transfer over meanwhile: the total stays unknown.
            }
        }
    }
}
