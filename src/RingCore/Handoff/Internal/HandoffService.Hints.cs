using RingCore.Diagnostics;
using RingCore.Membership;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Storage;
using RingCore.VNodes;

namespace RingCore.Handoff;

/// <summary>Hinted handoff in <see cref="HandoffService"/>: the pass over this node's vnodes that hands every object it should not hold to its primaries, and deletes it here once they all acknowledged it.</summary>
internal sealed partial class HandoffService
{
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
        try
        {
            return await SweepVNodeAsync(vnode).ConfigureAwait(false);
        }
        finally
        {
            _tracker.EndAll(vnode.Partition, TransferProgressKind.Hinted);
        }
    }

    private async Task<bool> SweepVNodeAsync(VNode vnode)
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
                await SendBatchAsync(target, batch, _tracker.Start(vnode.Partition, target, TransferProgressKind.Hinted)).ConfigureAwait(false);
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
}
