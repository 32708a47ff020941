using Google.Protobuf;
using RingCore.AntiEntropy;
using RingCore.Causality;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.Benchmarks.AntiEntropy;

/// <summary>
/// Two replicas' trees of a million keys that differ in 100: 50 keys whose objects differ
/// (written concurrently on each side), 25 the local side lacks and 25 the remote side lacks,
/// spread at random. The remote tree answers through <see cref="RemoteTree"/>'s frames over an
/// in-process loopback that serializes every request and reply (<see cref="Send"/>), so the
/// bytes counted are those a wire would carry.
/// </summary>
/// <remarks>
/// The trees hold random object hashes; the objects an exchange moves are made on demand from
/// their keys (<see cref="AntiEntropyData.ObjectOf"/>, 103 bytes), the remote side's under replica
/// 2 and the local side's under replica 1, so the 50 changed keys merge into two siblings.
/// </remarks>
internal sealed class ExchangeScenario
{
    public const int Changed = 50;
    public const int MissingLocally = 25;
    public const int MissingRemotely = 25;

    private static readonly TreeId Tree = new() { Partition = 0, N = 3 };

    private ExchangeScenario(HashTree local, HashTree remote)
    {
        Local = local;
        Remote = remote;
    }

    public HashTree Local { get; }

    public HashTree Remote { get; }

    /// <summary>Builds both trees (a few seconds).</summary>
    public static ExchangeScenario Create(int seed = 42)
    {
        var keys = AntiEntropyData.Keys(0, AntiEntropyData.TreeKeys);
        var random = new Random(seed);
        var hashes = keys.Select(_ => (ulong)random.NextInt64()).ToArray();
        var order = Enumerable.Range(0, keys.Length).OrderBy(_ => random.Next()).Take(Changed + MissingLocally + MissingRemotely).ToArray();
        var changed = order[..Changed].ToHashSet();
        var missingLocally = order[Changed..(Changed + MissingLocally)].ToHashSet();
        var missingRemotely = order[(Changed + MissingLocally)..].ToHashSet();

        var local = new HashTree();
        var remote = new HashTree();
        for (int i = 0; i < keys.Length; i++)
        {
            if (!missingLocally.Contains(i))
            {
                local.Set(keys[i], hashes[i]);
            }

            if (!missingRemotely.Contains(i))
            {
                remote.Set(keys[i], changed.Contains(i) ? ~hashes[i] : hashes[i]);
            }
        }

        return new ExchangeScenario(local, remote);
    }

    /// <summary>A fresh remote side (its own request and byte counts) over the loopback.</summary>
    public RemoteTree NewRemoteSide() => new("remote", Tree, Send);

    /// <summary>The tree comparison alone: the keys that differ.</summary>
    public async Task<List<KeyDifference>> CompareAsync(RemoteTree remote)
    {
        var differences = await TreeComparison.CompareAsync(new LocalSide(Local), remote, CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException("a tree was not ready");
        if (differences.Count != Changed + MissingLocally + MissingRemotely)
        {
            throw new InvalidOperationException($"the comparison found {differences.Count} differences");
        }

        return differences;
    }

    /// <summary>
    /// What AntiEntropyService's exchange does after the comparison, over the same frames: fetch
    /// the remote objects of the keys the remote side holds (75), merge each with the local one,
    /// and send the remote side the merged sets it lacks (75: the 50 changed and the 25 it misses).
    /// The local side's own reads and writes cross no wire and are left out. Returns the repairs sent.
    /// </summary>
    public async Task<int> FetchAndRepairAsync(RemoteTree remote, List<KeyDifference> differences)
    {
        var remoteHashes = differences.Where(difference => difference.Remote is not null).Select(difference => difference.KeyHash).ToList();
        var fetched = await remote.ObjectsAsync(remoteHashes, CancellationToken.None).ConfigureAwait(false);
        var repairs = new List<HandoffObject>();
        var held = new Dictionary<byte[], ReadOnlyMemory<byte>>(ByteKeyComparer.Instance);
        foreach (var (key, stored) in fetched)
        {
            held[key] = stored;
        }

        foreach (var difference in differences.Where(difference => difference.Local is not null))
        {
            var keys = new List<byte[]>();
            Local.AddKeysOf(difference.KeyHash, keys);
            foreach (var key in keys)
            {
                var local = SiblingSetCodec.Decode(AntiEntropyData.ObjectOf(key, 1));
                var merged = held.TryGetValue(key, out var theirs)
                    ? SiblingMerge.Merge(local, SiblingSetCodec.Decode(theirs), lastWriteWins: false)
                    : local;
                repairs.Add(new HandoffObject { Key = ByteString.CopyFrom(key), Siblings = UnsafeByteOperations.UnsafeWrap(SiblingSetCodec.Encode(merged)) });
            }
        }

        await remote.RepairAsync(repairs, 1 << 20, CancellationToken.None).ConfigureAwait(false);
        return repairs.Count;
    }

    // The remote node's side of the wire: parse the request, answer it as AntiEntropyService's
    // serving code does (AnswerHashes, AnswerSegments, AnswerObjectsAsync, AnswerRepairAsync
    // without the store write), and serialize the reply.
    private Task<PeerFrame> Send(PeerFrame frame, CancellationToken cancellationToken)
    {
        var message = PeerFrame.Parser.ParseFrom(frame.ToByteArray()).Exchange;
        var reply = message.BodyCase switch
        {
            ExchangeMessage.BodyOneofCase.Hashes => new ExchangeMessage { HashesReply = AnswerHashes(message.Hashes) },
            ExchangeMessage.BodyOneofCase.Segments => new ExchangeMessage { SegmentsReply = AnswerSegments(message.Segments) },
            ExchangeMessage.BodyOneofCase.Objects => new ExchangeMessage { ObjectsReply = AnswerObjects(message.Objects) },
            ExchangeMessage.BodyOneofCase.Repair => new ExchangeMessage { RepairReply = AnswerRepair(message.Repair) },
            _ => throw new InvalidOperationException($"no exchange request: {message.BodyCase}"),
        };
        return Task.FromResult(PeerFrame.Parser.ParseFrom(new PeerFrame { Exchange = reply }.ToByteArray()));
    }

    private TreeHashesReply AnswerHashes(TreeHashesRequest request)
    {
        var reply = new TreeHashesReply { Status = TreeStatus.TreeReady };
        reply.Hashes.AddRange(request.Root ? [Remote.Root] : TreeAnswers.Children(Remote, (int)request.Level, request.Parents.Select(parent => (int)parent).ToList()));
        return reply;
    }

    private SegmentsReply AnswerSegments(SegmentsRequest request)
    {
        var reply = new SegmentsReply { Status = TreeStatus.TreeReady };
        foreach (var entries in TreeAnswers.Segments(Remote, request.Segments.Select(segment => (int)segment).ToList()))
        {
            reply.Counts.Add((uint)entries.Count);
            foreach (var entry in entries)
            {
                reply.KeyHashes.Add(entry.KeyHash);
                reply.ObjectHashes.Add(entry.ObjectHash);
            }
        }

        return reply;
    }

    private ExchangeObjectsReply AnswerObjects(ExchangeObjectsRequest request)
    {
        var reply = new ExchangeObjectsReply { Status = TreeStatus.TreeReady };
        var keys = new List<byte[]>();
        foreach (ulong hash in request.KeyHashes)
        {
            Remote.AddKeysOf(hash, keys);
        }

        foreach (var key in keys)
        {
            reply.Objects.Add(new HandoffObject { Key = UnsafeByteOperations.UnsafeWrap(key), Siblings = UnsafeByteOperations.UnsafeWrap(AntiEntropyData.ObjectOf(key, 2)) });
        }

        return reply;
    }

    private static ExchangeRepairReply AnswerRepair(ExchangeRepair repair)
    {
        foreach (var item in repair.Objects)
        {
            SiblingSetCodec.Decode(item.Siblings.Memory);
        }

        return new ExchangeRepairReply { Written = (uint)repair.Objects.Count };
    }

    /// <summary>The asker's own tree, read in place.</summary>
    private sealed class LocalSide(HashTree tree) : ITreeSide
    {
        public Task<ulong?> RootAsync(CancellationToken cancellationToken) => Task.FromResult<ulong?>(tree.Root);

        public Task<ulong[]?> ChildrenAsync(int level, IReadOnlyList<int> parents, CancellationToken cancellationToken) =>
            Task.FromResult<ulong[]?>(TreeAnswers.Children(tree, level, parents));

        public Task<List<SegmentEntry>[]?> SegmentsAsync(IReadOnlyList<int> segments, CancellationToken cancellationToken) =>
            Task.FromResult<List<SegmentEntry>[]?>(TreeAnswers.Segments(tree, segments));
    }
}
