using Google.Protobuf;
using RingCore.Causality;
using RingCore.Diagnostics;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.AntiEntropy;

/// <summary>The side that starts an exchange: compare, fetch the differing keys' objects, merge, write where a side differs.</summary>
internal sealed partial class AntiEntropyService
{
    /// <summary>Differing keys repaired at a time, so a replica that lost everything is refilled without holding all its objects at once.</summary>
    private const int KeysPerRepair = 1024;

    private async Task<ExchangeResult> ExchangeAsync(int partition, int n, string peer)
    {
        var view = _routing.Current;
        if (!view.IsUp(peer))
        {
            return Skipped(partition, n, peer, ExchangeOutcome.PeerDown);
        }

        if (HandoffRuns(view.Ring, partition, n))
        {
            return Skipped(partition, n, peer, ExchangeOutcome.HandoffRunning);
        }

        var (status, trees) = Resolve(partition, n);
        if (status != TreeStatus.TreeReady)
        {
            return Skipped(partition, n, peer, ExchangeOutcome.NotBuilt);
        }

        var remote = new RemoteTree(peer, new TreeId { Partition = (uint)partition, N = (uint)n }, SendTo(peer));
        try
        {
            var local = new LocalTree(trees, n);
            var differences = await TreeComparison.CompareAsync(local, remote, _stopping.Token).ConfigureAwait(false);
            if (differences is null)
            {
                return Skipped(partition, n, peer, remote.Refusal == TreeStatus.TreeBusy ? ExchangeOutcome.HandoffRunning : ExchangeOutcome.NotBuilt, remote);
            }

            int repaired = 0;
            foreach (var chunk in differences.Chunk(KeysPerRepair))
            {
                repaired += await RepairAsync(partition, n, trees, chunk, remote).ConfigureAwait(false);
            }

            Record(partition, n, exchanged: true, repaired);
            var outcome = repaired > 0 ? ExchangeOutcome.Repaired : ExchangeOutcome.Equal;
            _metrics.Count(_metrics.Exchanges, outcome == ExchangeOutcome.Repaired ? "repaired" : "equal");
            _metrics.Count(_metrics.KeysRepaired, repaired);
            if (repaired > 0)
            {
                RingCoreLog.ExchangeRepaired(_logger, _self, partition, n, peer, repaired, remote.Bytes);
            }

            return new ExchangeResult(partition, n, peer, outcome, differences.Count, repaired, remote.Requests, remote.Bytes);
        }
        catch (Exception error) when (error is not (OperationCanceledException or ObjectDisposedException))
        {
            // A peer that timed out or answered wrongly, a store that failed: the next round tries again.
            _metrics.Count(_metrics.Exchanges, "failed");
            RingCoreLog.ExchangeFailed(_logger, error, _self, partition, n, peer);
            return new ExchangeResult(partition, n, peer, ExchangeOutcome.Failed, 0, 0, remote.Requests, remote.Bytes);
        }
    }

    /// <summary>Sends one exchange request to <paramref name="peer"/> and waits for the reply until <see cref="AntiEntropyOptions.RequestTimeout"/>.</summary>
    private Func<PeerFrame, CancellationToken, Task<PeerFrame>> SendTo(string peer) => async (frame, cancellationToken) =>
    {
        var reply = await PeerCall.SendAsync(_rpc, _scheduler, _time, peer, frame, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        _metrics.Count(_metrics.ExchangeBytes, frame.CalculateSize() + reply.CalculateSize());
        return reply;
    };

    private ExchangeResult Skipped(int partition, int n, string peer, ExchangeOutcome outcome, RemoteTree? remote = null)
    {
        _metrics.Count(_metrics.Exchanges, "skipped");
        return new ExchangeResult(partition, n, peer, outcome, 0, 0, remote?.Requests ?? 0, remote?.Bytes ?? 0);
    }

    /// <summary>
    /// Repairs the keys that differ: both sides' objects are merged (riak_kv's read repair
    /// merge: clocks decide, concurrent values become siblings, a last-write-wins bucket keeps
    /// the newest), and each side whose stored object is not the merge gets it as a replica put.
    /// Returns the keys written on either side.
    /// </summary>
    private async Task<int> RepairAsync(int partition, int n, VNodeHashTrees? trees, KeyDifference[] differences, RemoteTree remote)
    {
        // The local keys of the differing hashes, and their objects as stored now.
        var localKeys = trees?.Read(n, tree =>
        {
            var keys = new List<byte[]>();
            foreach (var difference in differences)
            {
                if (difference.Local is not null)
                {
                    tree.AddKeysOf(difference.KeyHash, keys);
                }
            }

            return keys;
        }) ?? [];

        var objects = new Dictionary<byte[], (ReadOnlyMemory<byte>? Local, ReadOnlyMemory<byte>? Remote)>(ByteKeyComparer.Instance);
        if (localKeys.Count > 0)
        {
            var vnode = _vnodes.Get(partition);
            foreach (var key in localKeys)
            {
                objects[key] = (await vnode.GetStoredAsync(key).ConfigureAwait(false), null);
            }
        }

        var remoteHashes = differences.Where(difference => difference.Remote is not null).Select(difference => difference.KeyHash).ToList();
        foreach (var (key, stored) in await remote.ObjectsAsync(remoteHashes, _stopping.Token).ConfigureAwait(false))
        {
            objects[key] = (objects.GetValueOrDefault(key).Local, stored);
        }

        var localWrites = new List<(ReadOnlyMemory<byte> Key, SiblingSet<ReadOnlyMemory<byte>> Set,
            Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> Merge)>();
        var remoteWrites = new List<HandoffObject>();
        var repaired = new HashSet<byte[]>(ByteKeyComparer.Instance);
        foreach (var (key, (localBytes, remoteBytes)) in objects)
        {
            if (ReplicationService.BucketOf(key) is not { } bucket)
            {
                continue;
            }

            var local = DecodeOrNull(localBytes);
            var other = DecodeOrNull(remoteBytes);
            bool lastWriteWins = _replication.PropertiesOf(bucket).LastWriteWins;
            var merged = local is null ? other : other is null ? local : SiblingMerge.Merge(local, other, lastWriteWins);
            if (merged is null)
            {
                continue; // gone on both sides since the trees were compared
            }

            var encoded = SiblingSetCodec.Encode(merged);
            if (localBytes is not { } mine || !mine.Span.SequenceEqual(encoded))
            {
                localWrites.Add((key, merged, SiblingMerge.For(lastWriteWins)));
            }

            if (remoteBytes is not { } theirs || !theirs.Span.SequenceEqual(encoded))
            {
                remoteWrites.Add(new HandoffObject { Key = ByteString.CopyFrom(key), Siblings = UnsafeByteOperations.UnsafeWrap(encoded) });
                repaired.Add(key);
            }
        }

        if (localWrites.Count > 0)
        {
            var vnode = _vnodes.Get(partition);
            int written = await vnode.ReplicaPutBatchAsync(localWrites).ConfigureAwait(false);
            if (!IsPrimary(_routing.Current, partition, n))
            {
                vnode.MarkMisplaced(); // the ring moved during the exchange: hinted handoff takes them on
            }

            if (written > 0)
            {
                foreach (var write in localWrites)
                {
                    repaired.Add(write.Key.ToArray());
                }
            }
        }

        await remote.RepairAsync(remoteWrites, Math.Min(_options.RepairBatchBytes, _rpc.MaxFrameBytes / 2), _stopping.Token).ConfigureAwait(false);
        return repaired.Count;
    }

    /// <summary>A stored set, or null when absent or when it fails to decode (the write that replaces it reports it).</summary>
    private static SiblingSet<ReadOnlyMemory<byte>>? DecodeOrNull(ReadOnlyMemory<byte>? stored)
    {
        if (stored is not { } bytes)
        {
            return null;
        }

        try
        {
            var set = SiblingSetCodec.Decode(bytes);
            return SiblingMerge.IsWellFormed(set) ? set : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>This node's tree of one preference list (null trees: the partition has no store here, so the tree is empty).</summary>
    private sealed class LocalTree(VNodeHashTrees? trees, int n) : ITreeSide
    {
        private static readonly HashTree Empty = new();

        public Task<ulong?> RootAsync(CancellationToken cancellationToken) =>
            Task.FromResult(Read(tree => new[] { tree.Root }) is { } root ? root[0] : (ulong?)null);

        public Task<ulong[]?> ChildrenAsync(int level, IReadOnlyList<int> parents, CancellationToken cancellationToken) =>
            Task.FromResult(Read(tree => TreeAnswers.Children(tree, level, parents)));

        public Task<List<SegmentEntry>[]?> SegmentsAsync(IReadOnlyList<int> segments, CancellationToken cancellationToken) =>
            Task.FromResult(Read(tree => TreeAnswers.Segments(tree, segments)));

        private T? Read<T>(Func<HashTree, T> read)
            where T : class => trees is null ? read(Empty) : trees.Read(n, read);
    }
}
