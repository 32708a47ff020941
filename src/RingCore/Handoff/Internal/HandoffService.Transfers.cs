using Google.Protobuf;
using RingCore.Diagnostics;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.Handoff;

/// <summary>The sending side of <see cref="HandoffService"/>: ownership transfers and repairs of the ring's <see cref="RingState.Transfers"/>, the ledger of what they sent and its drop once the ring flips (the final delta), and the batches every handoff sends.</summary>
internal sealed partial class HandoffService
{
    private void StartTransfers()
    {
        var view = _routing.Current;
        long now = _time.GetTimestamp();
        foreach (var transfer in view.Ring.Transfers)
        {
            if (_running.Count >= _options.MaxConcurrentTransfers)
            {
                return;
            }

            if (transfer.From != _self || _running.ContainsKey(transfer) || !view.IsUp(transfer.To)
                || (_retryAfter.TryGetValue(transfer, out long after) && now < after))
            {
                continue;
            }

            var started = new TaskCompletionSource();
            if (_running.TryAdd(transfer, started.Task))
            {
                _ = RunTransferAsync(transfer, started);
            }
        }
    }

    private async Task RunTransferAsync(PendingTransfer transfer, TaskCompletionSource done)
    {
        string kind = transfer.Kind.ToString();
        RingCoreLog.TransferStarted(_logger, kind, transfer.Partition, transfer.From, transfer.To);
        var progressKind = transfer.Kind == TransferKind.Ownership ? TransferProgressKind.Ownership : TransferProgressKind.Repair;
        var progress = _tracker.Start(transfer.Partition, transfer.To, progressKind, cancellation => CountTransferAsync(transfer, cancellation));
        bool completed = false;
        try
        {
            var sent = new List<(int Partition, ReadOnlyMemory<byte> Key, ulong Hash)>();
            var (objects, bytes) = await SendPartitionAsync(transfer, sent, progress).ConfigureAwait(false);
            if (_routing.Ring.Transfers.Contains(transfer))
            {
                if (transfer.Kind == TransferKind.Ownership)
                {
                    _handedOff[transfer] = sent;
                }

                await _membership.TransferDoneAsync(transfer, CancellationToken.None).ConfigureAwait(false);
                RingCoreLog.TransferCompleted(_logger, kind, transfer.Partition, transfer.From, transfer.To, objects, bytes);
                _metrics.Count(_metrics.TransfersCompleted);
                completed = true;
            }

            if (_routing.Ring.Transfers.Contains(transfer))
            {
                // Still listed: the claimant's new ring has not arrived yet, or the claimant did not
                // record it (its ring is behind this one). Gossip settles which; send it again after
                // the interval, not at once: at once, with no message delay, this spun in place and
                // virtual time, and with it every gossip timer, stood still (issue 13's partition suite).
                _retryAfter[transfer] = _time.GetTimestamp() + (long)(_options.Interval.TotalSeconds * _time.TimestampFrequency);
            }
            else
            {
                _retryAfter.TryRemove(transfer, out _);
            }
        }
        catch (Exception error) when (!_stopped)
        {
            // Cut by a crash, a partition or a lost message: the whole transfer starts again
            // later from the start; merging is idempotent, so what arrived twice changes nothing.
            RingCoreLog.TransferFailed(_logger, kind, transfer.Partition, transfer.From, transfer.To, error.Message);
            _metrics.Count(_metrics.TransfersFailed);
            _retryAfter[transfer] = _time.GetTimestamp() + (long)(_options.Interval.TotalSeconds * _time.TimestampFrequency);
        }
        catch (Exception)
        {
            // Stopped meanwhile: nothing to report.
        }
        finally
        {
            _tracker.End(transfer.Partition, transfer.To, progressKind, completed);
            _running.TryRemove(transfer, out _);
            done.TrySetResult();
            Kick();
        }
    }

    /// <summary>
    /// Counts what <see cref="SendPartitionAsync"/> will send, for the transfer's progress (when a
    /// report first asks, beside the send): the objects of the partitions that the largest N in
    /// use reaches back over, an upper bound when buckets of a smaller N share them.
    /// </summary>
    private async Task<long> CountTransferAsync(PendingTransfer transfer, CancellationToken cancellationToken)
    {
        int count = _routing.Ring.PartitionCount;
        var stored = _vnodes.PartitionsWithStores();
        int window = Math.Min(_routing.Current.MaxN, _replication.KnownNs().Max());
        long total = 0;
        for (int back = window - 1; back >= 0; back--)
        {
            int partition = (transfer.Partition - back + count) % count;
            if (stored.Contains(partition))
            {
                total += await _vnodes.Get(partition).CountAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return total;
    }

    /// <summary>
    /// Sends the receiver every object this node holds that the owner of the transfer's
    /// partition q replicates: the objects of partitions q-targetN+1 .. q whose N reaches q.
    /// </summary>
    private async Task<(long Objects, long Bytes)> SendPartitionAsync(PendingTransfer transfer, List<(int Partition, ReadOnlyMemory<byte> Key, ulong Hash)> sent,
        TransferTracker.Entry progress)
    {
        int count = _routing.Ring.PartitionCount;
        int window = _routing.Current.MaxN;
        var stored = _vnodes.PartitionsWithStores();
        long objects = 0, bytes = 0;
        for (int back = window - 1; back >= 0; back--)
        {
            int partition = (transfer.Partition - back + count) % count;
            if (!stored.Contains(partition))
            {
                continue;
            }

            var batch = new Batch(partition);
            await foreach (var entry in _vnodes.Get(partition).FoldAsync().ConfigureAwait(false))
            {
                if (!_routing.Ring.Transfers.Contains(transfer))
                {
                    return (objects, bytes); // the claimant dropped it (a newer plan): stop quietly
                }

                if (ReplicationService.BucketOf(entry.Key.Span) is not { } bucket || back >= _replication.PropertiesOf(bucket).N)
                {
                    continue;
                }

                batch.Add(entry);
                sent.Add((partition, entry.Key, Hashing.XxHash64.Hash(entry.Object.Value.Span)));
                if (batch.IsFull(_options))
                {
                    await SendBatchAsync(transfer.To, batch, progress).ConfigureAwait(false);
                    objects += batch.Count;
                    bytes += batch.Bytes;
                    batch = new Batch(partition);
                }
            }

            if (batch.Count > 0)
            {
                await SendBatchAsync(transfer.To, batch, progress).ConfigureAwait(false);
                objects += batch.Count;
                bytes += batch.Bytes;
            }
        }

        return (objects, bytes);
    }

    private async Task SendBatchAsync(string to, Batch batch, TransferTracker.Entry progress)
    {
        var frame = new PeerFrame { Handoff = new HandoffMessage { Batch = batch.ToMessage() } };
        var reply = await PeerCall.SendAsync(_rpc, _scheduler, _time, to, frame, _options.BatchTimeout).ConfigureAwait(false);
        var ack = reply.Handoff?.Ack ?? throw new InvalidDataException($"'{to}' answered a handoff batch with something else.");
        if (!string.IsNullOrEmpty(ack.Error))
        {
            throw new IOException($"'{to}' could not merge a batch of partition {batch.Partition}: {ack.Error}");
        }

        Interlocked.Add(ref _objectsSent, batch.Count);
        progress.Add(batch.Count, batch.Bytes);
        _metrics.Count(_metrics.HandoffObjects, batch.Count);
        _metrics.Count(_metrics.HandoffBytes, batch.Bytes);
    }

    /// <summary>
    /// Drops what finished ownership transfers sent, once the ring has flipped their partition:
    /// each object this node should no longer hold whose bytes are still the ones the receiver
    /// acknowledged (riak's vnode deletes its data after handoff the same way).
    /// </summary>
    private async Task DropHandedOffAsync()
    {
        foreach (var (transfer, sent) in _handedOff)
        {
            var ring = _routing.Ring;
            if (ring.Transfers.Contains(transfer) || ring.OwnerMemberOf(transfer.Partition).Name != transfer.To)
            {
                if (!ring.Transfers.Contains(transfer))
                {
                    _handedOff.TryRemove(transfer, out _); // dropped by a newer plan: the sweep decides
                }

                continue; // not flipped yet
            }

            if (!_handedOff.TryRemove(transfer, out _))
            {
                continue; // another pass took it
            }

            var drops = new List<Task<bool>>();
            foreach (var (partition, key, hash) in sent)
            {
                if (_stopped)
                {
                    return;
                }

                if (ReplicationService.BucketOf(key.Span) is { } bucket)
                {
                    Primaries(_routing.Ring, partition, _replication.PropertiesOf(bucket).N, out bool rightful);
                    if (!rightful)
                    {
                        drops.Add(_vnodes.Get(partition).DeleteIfHashUnchangedAsync(key, hash));
                    }
                }

                if (drops.Count >= _options.BatchObjects)
                {
                    await Task.WhenAll(drops).ConfigureAwait(false); // a batch of deletes at a time: a durable store commits them together
                    drops.Clear();
                }
            }

            await Task.WhenAll(drops).ConfigureAwait(false);
        }
    }

    /// <summary>Objects of one partition on their way to one node.</summary>
    private sealed class Batch(int partition)
    {
        private readonly List<StoredEntry> _entries = [];

        public int Partition { get; } = partition;

        public int Count => _entries.Count;

        public long Bytes { get; private set; }

        public void Add(StoredEntry entry)
        {
            _entries.Add(entry);
            Bytes += entry.Key.Length + entry.Object.Value.Length;
        }

        public bool IsFull(HandoffOptions options) => _entries.Count >= options.BatchObjects || Bytes >= options.BatchBytes;

        public HandoffBatch ToMessage()
        {
            var message = new HandoffBatch { Partition = (uint)Partition };
            foreach (var entry in _entries)
            {
                message.Objects.Add(new HandoffObject
                {
                    Key = UnsafeByteOperations.UnsafeWrap(entry.Key),
                    Siblings = UnsafeByteOperations.UnsafeWrap(entry.Object.Value),
                });
            }

            return message;
        }
    }
}
