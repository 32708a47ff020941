using Google.Protobuf;
using RingCore.Protocol;
using RingCore.Transport;

namespace RingCore.AntiEntropy;

/// <summary>
/// The peer's side of an exchange: each question is one request (<paramref name="send"/>: through
/// <see cref="PeerRpc"/> on a node, in process in a benchmark), and the bytes of every request
/// and reply are counted (what the exchange costs on the wire).
/// </summary>
internal sealed class RemoteTree(string peer, TreeId tree, Func<PeerFrame, CancellationToken, Task<PeerFrame>> send) : ITreeSide
{
    /// <summary>Key hashes asked for in one objects request.</summary>
    public const int KeysPerRequest = 256;

    /// <summary>Requests sent.</summary>
    public int Requests { get; private set; }

    /// <summary>Bytes of the requests sent and the replies received (protobuf frames).</summary>
    public long Bytes { get; private set; }

    /// <summary>Why the peer had no tree to compare, when it said so.</summary>
    public TreeStatus Refusal { get; private set; }

    public async Task<ulong?> RootAsync(CancellationToken cancellationToken)
    {
        var reply = await AskAsync(new ExchangeMessage { Hashes = new TreeHashesRequest { Tree = tree, Root = true } }, cancellationToken).ConfigureAwait(false);
        var hashes = reply.HashesReply ?? throw Unexpected(reply);
        if (!Ready(hashes.Status))
        {
            return null;
        }

        return hashes.Hashes.Count == 1 ? hashes.Hashes[0] : throw new InvalidDataException($"'{peer}' answered {hashes.Hashes.Count} hashes for a root");
    }

    public async Task<ulong[]?> ChildrenAsync(int level, IReadOnlyList<int> parents, CancellationToken cancellationToken)
    {
        var request = new TreeHashesRequest { Tree = tree, Level = (uint)level };
        request.Parents.AddRange(parents.Select(parent => (uint)parent));
        var reply = await AskAsync(new ExchangeMessage { Hashes = request }, cancellationToken).ConfigureAwait(false);
        var hashes = reply.HashesReply ?? throw Unexpected(reply);
        return Ready(hashes.Status) ? [.. hashes.Hashes] : null;
    }

    public async Task<List<SegmentEntry>[]?> SegmentsAsync(IReadOnlyList<int> segments, CancellationToken cancellationToken)
    {
        var request = new SegmentsRequest { Tree = tree };
        request.Segments.AddRange(segments.Select(segment => (uint)segment));
        var reply = await AskAsync(new ExchangeMessage { Segments = request }, cancellationToken).ConfigureAwait(false);
        var answer = reply.SegmentsReply ?? throw Unexpected(reply);
        if (!Ready(answer.Status))
        {
            return null;
        }

        if (answer.Counts.Count != segments.Count || answer.KeyHashes.Count != answer.ObjectHashes.Count
            || answer.Counts.Sum(count => (long)count) != answer.KeyHashes.Count)
        {
            throw new InvalidDataException($"'{peer}' answered segments whose counts do not match their entries");
        }

        var entries = new List<SegmentEntry>[segments.Count];
        int next = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            int count = (int)answer.Counts[i];
            entries[i] = new List<SegmentEntry>(count);
            for (int j = 0; j < count; j++, next++)
            {
                entries[i].Add(new SegmentEntry(answer.KeyHashes[next], answer.ObjectHashes[next]));
            }

            entries[i].Sort(SegmentEntry.ByKeyHash);
        }

        return entries;
    }

    /// <summary>The peer's keys with these hashes and their stored bytes, over as many requests as the replies' size budget needs.</summary>
    public async Task<List<(byte[] Key, ReadOnlyMemory<byte> Stored)>> ObjectsAsync(IReadOnlyList<ulong> keyHashes, CancellationToken cancellationToken)
    {
        var objects = new List<(byte[] Key, ReadOnlyMemory<byte> Stored)>();
        var pending = new Queue<ulong>(keyHashes);
        while (pending.Count > 0)
        {
            var request = new ExchangeObjectsRequest { Tree = tree };
            while (pending.Count > 0 && request.KeyHashes.Count < KeysPerRequest)
            {
                request.KeyHashes.Add(pending.Dequeue());
            }

            var reply = await AskAsync(new ExchangeMessage { Objects = request }, cancellationToken).ConfigureAwait(false);
            var answer = reply.ObjectsReply ?? throw Unexpected(reply);
            if (!Ready(answer.Status))
            {
                throw new InvalidOperationException($"'{peer}' stopped serving the tree during the exchange ({answer.Status})");
            }

            if (answer.Deferred.Count >= request.KeyHashes.Count)
            {
                throw new InvalidDataException($"'{peer}' deferred every key asked for");
            }

            foreach (var item in answer.Objects)
            {
                objects.Add((item.Key.ToByteArray(), item.Siblings.Memory));
            }

            foreach (ulong deferred in answer.Deferred)
            {
                pending.Enqueue(deferred);
            }
        }

        return objects;
    }

    /// <summary>Sends the merged sets the peer lacks, in messages of at most <paramref name="budget"/> bytes (a larger object alone).</summary>
    public async Task RepairAsync(List<HandoffObject> objects, int budget, CancellationToken cancellationToken)
    {
        int next = 0;
        while (next < objects.Count)
        {
            var repair = new ExchangeRepair { Tree = tree };
            long bytes = 0;
            while (next < objects.Count && (repair.Objects.Count == 0 || bytes + objects[next].CalculateSize() <= budget))
            {
                bytes += objects[next].CalculateSize();
                repair.Objects.Add(objects[next++]);
            }

            var reply = await AskAsync(new ExchangeMessage { Repair = repair }, cancellationToken).ConfigureAwait(false);
            var answer = reply.RepairReply ?? throw Unexpected(reply);
            if (answer.Error.Length > 0)
            {
                throw new InvalidOperationException($"'{peer}' refused a repair: {answer.Error}");
            }
        }
    }

    private bool Ready(TreeStatus status)
    {
        if (status == TreeStatus.TreeReady)
        {
            return true;
        }

        Refusal = status;
        return false;
    }

    private async Task<ExchangeMessage> AskAsync(ExchangeMessage message, CancellationToken cancellationToken)
    {
        var frame = new PeerFrame { Exchange = message };
        Requests++;
        Bytes += frame.CalculateSize();
        var reply = await send(frame, cancellationToken).ConfigureAwait(false);
        Bytes += reply.CalculateSize();
        return reply.Exchange ?? throw new InvalidDataException($"'{peer}' answered an exchange request with {reply.BodyCase}");
    }

    private InvalidDataException Unexpected(ExchangeMessage reply) =>
        new($"'{peer}' answered an exchange request with {reply.BodyCase}");
}
