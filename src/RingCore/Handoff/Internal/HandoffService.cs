using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using RingCore.Causality;
using RingCore.Diagnostics;
using RingCore.Membership;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Runtime;
using RingCore.Storage;
using RingCore.Transport;
using RingCore.VNodes;

namespace RingCore.Handoff;

/// <summary>
/// Moves objects to the nodes that should hold them (riak_core_handoff_manager, _sender and
/// _receiver): ownership transfers and repairs the ring lists (<see cref="RingState.Transfers"/>),
/// and hinted handoff of everything this node holds that it should not (a fallback's copies, a
/// former owner's leftovers, an exiting member's data). Objects travel in batches through
/// <see cref="PeerRpc"/>; the receiver merges each as a replica put, so a batch sent twice, or a
/// transfer started again from the start, changes nothing the second time.
/// </summary>
/// <remarks>
/// <para>Who should hold an object is derived, not recorded: the first N owners from its
/// partition (N of its bucket, or of its actor type), and the node receiving an ownership
/// transfer of one of them. A vnode is looked at when something may have put such an object
/// there (a write sent to it as a fallback, a ring change, a start; <see cref="VNode.MisplacedMark"/>).</para>
/// <para>A misplaced object is sent to each of its primaries, and deleted here only when every
/// one of them acknowledged it and its stored bytes are still the ones sent; while a primary is
/// down, the object stays (it is that primary's hint).</para>
/// </remarks>
internal sealed class HandoffService : IPeerService, IThreadPoolWorkItem, IDisposable
{
    private readonly string _self;
    private readonly RingManager _routing;
    private readonly MembershipService _membership;
    private readonly PeerRpc _rpc;
    private readonly VNodeTable _vnodes;
    private readonly ReplicationService _replication;
    private readonly IWorkScheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly HandoffOptions _options;
    private readonly RingCoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly ConcurrentDictionary<PendingTransfer, Task> _running = new();
    private readonly ConcurrentDictionary<PendingTransfer, long> _retryAfter = new();

    // What finished ownership transfers sent (partition, key, XXH64 of the bytes), waiting for
    // the ring to flip their partition: then each object still unchanged is dropped here without
    // being sent again, and only what changed since goes out with the next pass (the final delta).
    private readonly ConcurrentDictionary<PendingTransfer, List<(int Partition, ReadOnlyMemory<byte> Key, ulong Hash)>> _handedOff = new();
    private int _kicked;
    private int _sweeping;
    private int _sweepAgain;
    private long _ringVersionSeen;
    private volatile bool _stopped;

    public HandoffService(string self, RingManager routing, MembershipService membership, PeerRpc rpc, VNodeTable vnodes, ReplicationService replication,
        IWorkScheduler scheduler, TimeProvider time, HandoffOptions options, RingCoreMetrics metrics, ILogger logger)
    {
        _self = self;
        _routing = routing;
        _membership = membership;
        _rpc = rpc;
        _vnodes = vnodes;
        _replication = replication;
        _scheduler = scheduler;
        _time = time;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _ringVersionSeen = routing.Ring.Version;
        rpc.Register(PeerFrame.BodyOneofCase.Handoff, this);
        routing.ViewChanged += OnViewChanged;
        _timer = time.CreateTimer(static state => ((HandoffService)state!).Kick(), this, options.Interval, options.Interval);
    }

    /// <summary>Transfers this node is sending now.</summary>
    public int RunningTransfers => _running.Count;

    /// <summary>Objects handed to other nodes (transfers and hints) since the start.</summary>
    public long ObjectsSent => Interlocked.Read(ref _objectsSent);

    private long _objectsSent;

    /// <summary>Looks for work soon, on the node's scheduler (a ring change, a node back up, the interval).</summary>
    public void Kick()
    {
        if (!_stopped && Interlocked.Exchange(ref _kicked, 1) == 0)
        {
            _scheduler.Schedule(this);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        Volatile.Write(ref _kicked, 0);
        if (_stopped || _membership.HasLeft)
        {
            return;
        }

        StartTransfers();
        if (!_options.HintedHandoff)
        {
            return;
        }

        if (Interlocked.Exchange(ref _sweeping, 1) == 0)
        {
            Volatile.Write(ref _sweepAgain, 0);
            _ = SweepAllAsync();
        }
        else
        {
            Volatile.Write(ref _sweepAgain, 1); // the pass running may have looked before what prompted this
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _routing.ViewChanged -= OnViewChanged;
        _timer.Dispose();
    }

    private void OnViewChanged(RoutingView view)
    {
        long seen = Interlocked.Exchange(ref _ringVersionSeen, view.Ring.Version);
        if (seen != view.Ring.Version)
        {
            // Owners may have moved: every vnode here may hold objects that now belong elsewhere,
            // and actors this node no longer hosts leave for their new home.
            _vnodes.MarkAllMisplaced();
            _vnodes.RehomeActors();
        }

        Kick();
    }

    // ---- Ownership transfers and repairs -------------------------------------------------

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
        try
        {
            var sent = new List<(int Partition, ReadOnlyMemory<byte> Key, ulong Hash)>();
            var (objects, bytes) = await SendPartitionAsync(transfer, sent).ConfigureAwait(false);
            if (_routing.Ring.Transfers.Contains(transfer))
            {
                if (transfer.Kind == TransferKind.Ownership)
                {
                    _handedOff[transfer] = sent;
                }

                await _membership.TransferDoneAsync(transfer, CancellationToken.None).ConfigureAwait(false);
                RingCoreLog.TransferCompleted(_logger, kind, transfer.Partition, transfer.From, transfer.To, objects, bytes);
                _metrics.Count(_metrics.TransfersCompleted);
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
            _running.TryRemove(transfer, out _);
            done.TrySetResult();
            Kick();
        }
    }

    /// <summary>
    /// Sends the receiver every object this node holds that the owner of the transfer's
    /// partition q replicates: the objects of partitions q-targetN+1 .. q whose N reaches q.
    /// </summary>
    private async Task<(long Objects, long Bytes)> SendPartitionAsync(PendingTransfer transfer, List<(int Partition, ReadOnlyMemory<byte> Key, ulong Hash)> sent)
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
                    await SendBatchAsync(transfer.To, batch).ConfigureAwait(false);
                    objects += batch.Count;
                    bytes += batch.Bytes;
                    batch = new Batch(partition);
                }
            }

            if (batch.Count > 0)
            {
                await SendBatchAsync(transfer.To, batch).ConfigureAwait(false);
                objects += batch.Count;
                bytes += batch.Bytes;
            }
        }

        return (objects, bytes);
    }

    private async Task SendBatchAsync(string to, Batch batch)
    {
        var frame = new PeerFrame { Handoff = new HandoffMessage { Batch = batch.ToMessage() } };
        var reply = await PeerCall.SendAsync(_rpc, _scheduler, _time, to, frame, _options.BatchTimeout).ConfigureAwait(false);
        var ack = reply.Handoff?.Ack ?? throw new InvalidDataException($"'{to}' answered a handoff batch with something else.");
        if (!string.IsNullOrEmpty(ack.Error))
        {
            throw new IOException($"'{to}' could not merge a batch of partition {batch.Partition}: {ack.Error}");
        }

        Interlocked.Add(ref _objectsSent, batch.Count);
        _metrics.Count(_metrics.HandoffObjects, batch.Count);
        _metrics.Count(_metrics.HandoffBytes, batch.Bytes);
    }

    // ---- Hinted handoff: objects this node should not hold ----------------------------------

    private async Task SweepAllAsync()
    {
        try
        {
            await DropHandedOffAsync().ConfigureAwait(false);
            bool holdsAnything = false;
            foreach (int partition in _vnodes.PartitionsWithStores())
            {
                if (_stopped || _membership.HasLeft)
                {
                    return;
                }

                if (!_vnodes.IsOpen(partition) && MayBeRightful(partition))
                {
                    // A store from an earlier run that this node replicates: opening every one
                    // at a start would cost what lazy opening saves (issue 12); it is looked at
                    // when traffic opens it (a vnode starts marked).
                    continue;
                }

                var vnode = _vnodes.Get(partition);
                if (!vnode.MayHoldMisplaced)
                {
                    holdsAnything |= IsExiting() && await HoldsAnyAsync(vnode).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    holdsAnything |= await SweepAsync(vnode).ConfigureAwait(false);
                }
                catch (Exception error) when (!_stopped)
                {
                    holdsAnything = true;
                    RingCoreLog.HandoffFailed(_logger, error, _self, partition);
                }
            }

            if (IsExiting() && !holdsAnything && _running.IsEmpty)
            {
                // Everything this leaving member held is with its new owners: it may go. Reported
                // on every pass until the ring without it arrives: a claimant whose ring is behind
                // (restarted with an older one) takes the report for a repeat and records nothing,
                // and one report then left this member Exiting for good (issue 13's partition suite).
                try
                {
                    await _membership.ExitedAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception error) when (error is TimeoutException or ClusterChangeRefusedException or ObjectDisposedException)
                {
                    RingCoreLog.MembershipRequestFailed(_logger, _self, _membership.ActingClaimant ?? "claimant", error.Message);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The node stopped.
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
            if (Interlocked.Exchange(ref _sweepAgain, 0) != 0)
            {
                Kick();
            }
        }
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

    /// <summary>Whether this node owns, or is receiving, one of the partitions whose owners may replicate <paramref name="partition"/>'s objects.</summary>
    private bool MayBeRightful(int partition)
    {
        var view = _routing.Current;
        for (int offset = 0; offset < view.MaxN; offset++)
        {
            int primaryPartition = (partition + offset) & (view.Ring.PartitionCount - 1);
            if (view.Ring.OwnerMemberOf(primaryPartition).Name == _self || view.Ring.IsIncomingOwner(primaryPartition, _self))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsExiting()
    {
        var ring = _routing.Ring;
        int self = ring.IndexOfMember(_self);
        return self >= 0 && ring.Members[self].Status == MemberStatus.Exiting;
    }

    private static async Task<bool> HoldsAnyAsync(VNode vnode)
    {
        await foreach (var entry in vnode.FoldAsync().ConfigureAwait(false))
        {
            if (entry.Key.Length > 0 && entry.Key.Span[0] == VNode.UserKeyPrefix)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Hands every misplaced object of one vnode to its primaries; true when some object stays (a primary is down, a send failed).</summary>
    private async Task<bool> SweepAsync(VNode vnode)
    {
        await DropHandedOffAsync().ConfigureAwait(false); // a flip seen since the pass began: drop, do not send again
        long mark = vnode.MisplacedMark;
        int partition = vnode.Partition;
        if (_routing.Ring.OwnerMemberOf(partition).Name == _self)
        {
            // The first primary of every object here, whatever its N: nothing is misplaced.
            vnode.ClearMisplaced(mark);
            return false;
        }

        var chunk = new List<(StoredEntry Entry, string[] Primaries)>();
        long chunkBytes = 0, handed = 0, kept = 0;
        bool failed = false;
        await foreach (var entry in vnode.FoldAsync().ConfigureAwait(false))
        {
            if (_stopped)
            {
                return true;
            }

            if (ReplicationService.BucketOf(entry.Key.Span) is not { } bucket)
            {
                continue;
            }

            var view = _routing.Current;
            var primaries = Primaries(view.Ring, partition, _replication.PropertiesOf(bucket).N, out bool rightful);
            if (rightful)
            {
                continue;
            }

            if (!Array.TrueForAll(primaries, view.IsUp))
            {
                kept++; // a hint for a primary that is down: it stays until that primary is back
                continue;
            }

            chunk.Add((entry, primaries));
            chunkBytes += entry.Key.Length + entry.Object.Value.Length;
            if (chunk.Count >= _options.BatchObjects || chunkBytes >= _options.BatchBytes)
            {
                (long done, bool ok) = await HandOffAsync(vnode, chunk).ConfigureAwait(false);
                handed += done;
                failed |= !ok;
                chunk.Clear();
                chunkBytes = 0;
            }
        }

        if (chunk.Count > 0)
        {
            (long done, bool ok) = await HandOffAsync(vnode, chunk).ConfigureAwait(false);
            handed += done;
            failed |= !ok;
        }

        if (handed > 0 || kept > 0)
        {
            RingCoreLog.HintsHandedOff(_logger, _self, partition, handed, kept);
        }

        bool remains = kept > 0 || failed;
        if (!remains)
        {
            vnode.ClearMisplaced(mark); // unless a new hint arrived meanwhile: then the next pass looks again
        }

        return remains || IsExiting() && await HoldsAnyAsync(vnode).ConfigureAwait(false);
    }

    /// <summary>Sends a chunk of misplaced objects to their primaries; deletes each one every primary acknowledged, if unchanged.</summary>
    private async Task<(long Deleted, bool AllSent)> HandOffAsync(VNode vnode, List<(StoredEntry Entry, string[] Primaries)> chunk)
    {
        var byTarget = new Dictionary<string, Batch>(StringComparer.Ordinal);
        foreach (var (entry, primaries) in chunk)
        {
            foreach (string primary in primaries)
            {
                if (!byTarget.TryGetValue(primary, out var batch))
                {
                    byTarget[primary] = batch = new Batch(vnode.Partition);
                }

                batch.Add(entry);
            }
        }

        var acked = new HashSet<string>(StringComparer.Ordinal);
        bool allSent = true;
        foreach (var (target, batch) in byTarget)
        {
            try
            {
                await SendBatchAsync(target, batch).ConfigureAwait(false);
                acked.Add(target);
            }
            catch (Exception error) when (error is TimeoutException or IOException or InvalidDataException or ArgumentException)
            {
                allSent = false;
                RingCoreLog.MembershipRequestFailed(_logger, _self, target, error.Message);
            }
        }

        var delivered = chunk.Where(item => Array.TrueForAll(item.Primaries, acked.Contains)).ToList();
        var deletes = await Task.WhenAll(delivered.Select(item => vnode.DeleteIfUnchangedAsync(item.Entry.Key, item.Entry.Object.Value))).ConfigureAwait(false);
        long deleted = deletes.Count(done => done);
        if (deleted < delivered.Count)
        {
            allSent = false; // written meanwhile: the next pass hands off the new bytes
            vnode.MarkMisplaced();
        }

        return (deleted, allSent);
    }

    /// <summary>Every object this node holds that it should not, by its ring now (for tests and checks).</summary>
    /// <param name="deliverableOnly">Only those whose primaries are all up (the ones handoff should have handed back by now).</param>
    public async Task<List<(int Partition, byte[] Key)>> FindMisplacedAsync(bool deliverableOnly = false)
    {
        var misplaced = new List<(int, byte[])>();
        var view = _routing.Current;
        var ring = view.Ring;
        foreach (int partition in _vnodes.PartitionsWithStores())
        {
            await foreach (var entry in _vnodes.Get(partition).FoldAsync().ConfigureAwait(false))
            {
                if (ReplicationService.BucketOf(entry.Key.Span) is { } bucket)
                {
                    var primaries = Primaries(ring, partition, _replication.PropertiesOf(bucket).N, out bool rightful);
                    if (!rightful && (!deliverableOnly || Array.TrueForAll(primaries, view.IsUp)))
                    {
                        misplaced.Add((partition, entry.Key.ToArray()));
                    }
                }
            }
        }

        return misplaced;
    }

    /// <summary>
    /// The distinct primaries of an object of <paramref name="partition"/> with <paramref name="n"/>
    /// replicas, and whether this node should hold it: it is one of them, or it receives an
    /// ownership transfer of one of their partitions.
    /// </summary>
    private string[] Primaries(RingState ring, int partition, int n, out bool rightful)
    {
        rightful = false;
        var primaries = new List<string>(n);
        for (int offset = 0; offset < n; offset++)
        {
            int primaryPartition = (partition + offset) & (ring.PartitionCount - 1);
            string owner = ring.OwnerMemberOf(primaryPartition).Name;
            rightful |= owner == _self || ring.IsIncomingOwner(primaryPartition, _self);
            if (!primaries.Contains(owner))
            {
                primaries.Add(owner);
            }
        }

        return [.. primaries];
    }

    // ---- Receiving ----------------------------------------------------------------------------

    public void OnRequest(PeerRequest request, PeerFrame frame) => _ = ReceiveAsync(request, frame.Handoff);

    private async Task ReceiveAsync(PeerRequest request, HandoffMessage message)
    {
        if (_stopped)
        {
            return; // a stopped node answers nothing, like a dead process
        }

        if (message.BodyCase != HandoffMessage.BodyOneofCase.Batch)
        {
            _rpc.Malformed(request.From, $"a handoff message with no batch ({message.BodyCase})");
            return;
        }

        var batch = message.Batch;
        var ack = new HandoffAck();
        try
        {
            if (batch.Partition >= (uint)_routing.Ring.PartitionCount)
            {
                throw new InvalidDataException($"partition {batch.Partition} is not in a ring of {_routing.Ring.PartitionCount}");
            }

            var vnode = _vnodes.Get((int)batch.Partition);
            var merges = new List<(ReadOnlyMemory<byte> Key, SiblingSet<ReadOnlyMemory<byte>> Set,
                Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> Merge)>(batch.Objects.Count);
            foreach (var item in batch.Objects)
            {
                var key = item.Key.Memory;
                if (key.Length > StorageLimits.MaxKeyBytes || ReplicationService.BucketOf(key.Span) is not { } bucket)
                {
                    throw new InvalidDataException($"a key of {key.Length} bytes is not a replicated object's key");
                }

                var set = SiblingSetCodec.Decode(item.Siblings.Memory);
                if (!SiblingMerge.IsWellFormed(set))
                {
                    throw new InvalidDataException("a value is shorter than its header");
                }

                merges.Add((key, set, _replication.PropertiesOf(bucket).LastWriteWins ? LastWriteWinsMerge : KeepSiblingsMerge));
            }

            // Every object of the batch at once: a durable store commits them together instead of
            // one commit per object.
            await vnode.ReplicaPutBatchAsync(merges).ConfigureAwait(false);
            ack.Merged = (uint)merges.Count;

            // What arrived may itself be misplaced here (the plan changed since it was sent):
            // the next pass hands it on.
            vnode.MarkMisplaced();
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException)
        {
            _rpc.Malformed(request.From, error.Message);
            ack.Error = error.Message;
        }
        catch (Exception error)
        {
            ack.Error = $"{error.GetType().Name} on {_self}: {error.Message}";
        }

        _rpc.Reply(request, new PeerFrame { Handoff = new HandoffMessage { Ack = ack } });
    }

    private static readonly Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> KeepSiblingsMerge =
        static (local, incoming) => SiblingMerge.Merge(local, incoming, lastWriteWins: false);

    private static readonly Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> LastWriteWinsMerge =
        static (local, incoming) => SiblingMerge.Merge(local, incoming, lastWriteWins: true);

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
