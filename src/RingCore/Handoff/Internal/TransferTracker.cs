using System.Collections.Concurrent;

namespace RingCore.Handoff;

/// <summary>The progress of the transfers a node is sending now, for <see cref="TransferProgress"/> reports; what finished is counted, not kept.</summary>
internal sealed class TransferTracker(string self, TimeProvider time)
{
    private readonly ConcurrentDictionary<(int Partition, string To, TransferProgressKind Kind), Entry> _running = new();
    private long _completed;

    /// <summary>Transfers (ownership and repair) that finished since the node started.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Starts tracking one transfer (or returns the one already tracked under the same partition, target and kind).</summary>
    public Entry Start(int partition, string to, TransferProgressKind kind) =>
        _running.GetOrAdd((partition, to, kind), static (id, state) => new Entry(state.time.GetUtcNow(), state.time.GetTimestamp()), (time, self));

    /// <summary>Stops tracking it; <paramref name="completed"/> counts it as finished.</summary>
    public void End(int partition, string to, TransferProgressKind kind, bool completed)
    {
        _running.TryRemove((partition, to, kind), out _);
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
            if (id.Partition == partition && id.Kind == kind)
            {
                _running.TryRemove(id, out _);
            }
        }
    }

    public IReadOnlyList<TransferProgress> Snapshot()
    {
        long now = time.GetTimestamp();
        return [.. _running
            .Select(pair => new TransferProgress(pair.Key.Partition, self, pair.Key.To, pair.Key.Kind, pair.Value.Objects, pair.Value.Bytes,
                pair.Value.StartedAt, time.GetElapsedTime(pair.Value.StartedTimestamp, now)) { ObjectsTotal = pair.Value.Total })
            .OrderBy(progress => progress.Partition).ThenBy(progress => progress.To, StringComparer.Ordinal)];
    }

    /// <summary>One running transfer's counters, added to as its batches are acknowledged.</summary>
    public sealed class Entry(DateTimeOffset startedAt, long startedTimestamp)
    {
        private long _objects;
        private long _bytes;
        private long _total = -1;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public long StartedTimestamp { get; } = startedTimestamp;

        public long Objects => Interlocked.Read(ref _objects);

        public long Bytes => Interlocked.Read(ref _bytes);

        /// <summary>What the transfer will send at most, once counted.</summary>
        public long? Total => Interlocked.Read(ref _total) is >= 0 and var total ? total : null;

        public void SetTotal(long total) => Interlocked.Exchange(ref _total, total);

        public void Add(long objects, long bytes)
        {
            Interlocked.Add(ref _objects, objects);
            Interlocked.Add(ref _bytes, bytes);
        }
    }
}
