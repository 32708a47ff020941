using System.Collections.Immutable;
using Google.Protobuf;
using RingCore.Causality;
using RingCore.Protocol;

namespace RingCore.Replication;

/// <summary>
/// One get (riak_kv_get_fsm): asks every entry of the preference list, replies after R answers
/// (a not-found counts, as riak's notfound_ok, unless the bucket turns that off: then only once
/// every entry answered), PR of them from primaries, with the siblings of
/// the merged answers; then, once every entry answered or the timeout passed, read repair sends
/// the merged set to each replica that lacked it, and a tombstone that all N primaries hold
/// unchanged is reaped (Dynamo section 4.5; riak_kv_get_fsm read repair and delete_mode).
/// </summary>
internal sealed class GetCoordinator : ReplicaRequest
{
    private readonly SiblingSet<ReadOnlyMemory<byte>>?[] _answers;
    private readonly TaskCompletionSource<bool> _quorum = new();
    private readonly TaskCompletionSource<bool> _all = new();
    private int _ok, _primaryOk, _found, _primaryFound, _replies;

    public GetCoordinator(ReplicationService node, RequestName name, int partition, byte[] storeKey, BucketProperties properties, TimeSpan timeout)
        : base(node, name, partition, storeKey, properties, timeout)
    {
        _answers = new SiblingSet<ReadOnlyMemory<byte>>?[Entries.Length];
    }

    private string Needed => Properties.PR > 0 ? $"R={Properties.R}, PR={Properties.PR}" : $"R={Properties.R}";

    public async Task<GetResult> RunAsync()
    {
        if (Entries.Length == 0)
        {
            throw QuorumFailure(Needed);
        }

        var request = new GetRequest { Partition = (uint)Partition, Key = UnsafeByteOperations.UnsafeWrap(StoreKey) };
        for (int i = 0; i < Entries.Length; i++)
        {
            Send(i, new ReplicaMessage { GetRequest = request });
        }

        ArmDeadline();
        if (!await _quorum.Task.ConfigureAwait(false))
        {
            var failure = QuorumFailure(Needed);
            ForgetAll();
            throw failure;
        }

        var merged = Merged();
        Node.Metrics.Record(Node.Metrics.Siblings, merged.Count);
        _ = RepairAsync();
        return GetResult.Of(merged, Properties.LastWriteWins);
    }

    public override void OnReply(int index, ReplicaMessage reply)
    {
        if (reply.BodyCase != ReplicaMessage.BodyOneofCase.GetReply)
        {
            return;
        }

        SiblingSet<ReadOnlyMemory<byte>>? set = null;
        bool ok = reply.GetReply.Error.Length == 0;
        if (ok && reply.GetReply.Found)
        {
            try
            {
                set = SiblingSetCodec.Decode(reply.GetReply.Siblings.Memory);
                ok = SiblingMerge.IsWellFormed(set);
            }
            catch (InvalidDataException)
            {
                ok = false;
            }
        }

        bool? quorum = null;
        bool all;
        lock (Gate)
        {
            _replies++;
            if (ok)
            {
                Answered[index] = true;
                _answers[index] = set;
                _ok++;
                _primaryOk += Entries[index].Primary ? 1 : 0;
                if (set is not null)
                {
                    _found++;
                    _primaryFound += Entries[index].Primary ? 1 : 0;
                }
            }

            bool everyone = _replies == Entries.Length;
            if (Properties.NotFoundOk || everyone
                    ? _ok >= Properties.R && _primaryOk >= Properties.PR
                    : _found >= Properties.R && _primaryFound >= Properties.PR)
            {
                quorum = true;
            }
            else if (_replies == Entries.Length)
            {
                quorum = false;
            }

            all = _replies == Entries.Length;
        }

        if (quorum is { } result)
        {
            Complete(_quorum, result);
        }

        if (all)
        {
            Complete(_all, true);
        }
    }

    private SiblingSet<ReadOnlyMemory<byte>> Merged()
    {
        var merged = SiblingSet<ReadOnlyMemory<byte>>.Empty;
        lock (Gate)
        {
            foreach (var answer in _answers)
            {
                if (answer is not null)
                {
                    merged = SiblingMerge.Merge(merged, answer, Properties.LastWriteWins);
                }
            }
        }

        return merged;
    }

    private async Task RepairAsync()
    {
        bool allAnswered = await _all.Task.ConfigureAwait(false);
        ForgetAll();
        var merged = Merged();
        if (merged.Count == 0)
        {
            return;
        }

        // Which entries are stale, as bits (a list is at most target_n long, and target_n is at
        // most 64): read under the lock, acted on outside it, and no copy of the answers.
        ulong stale = 0;
        bool reap = allAnswered && Entries.Length == Properties.N && SiblingMerge.AllTombstones(merged);
        lock (Gate)
        {
            for (int i = 0; i < Entries.Length; i++)
            {
                bool current = Answered[i] && _answers[i] is { } answer && answer.Equals(merged, ByteValueComparer.Instance);
                reap &= current && Entries[i].Primary;
                stale |= current ? 0 : 1UL << i;
            }
        }

        ReplicaMessage? repair = null; // built only when some replica needs it: most reads repair nothing
        for (int i = 0; i < Entries.Length; i++)
        {
            if ((stale & (1UL << i)) != 0)
            {
                // Missing or strictly older (the merge descends every answer): bring it up to date.
                repair ??= Repair(merged);
                Node.Metrics.Count(Node.Metrics.ReadRepairs);
                Node.Dispatch(Entries[i].Member, repair.Clone(), handler: null, index: i);
            }
        }

        if (reap)
        {
            // Every one of the N primaries holds exactly this all-tombstone set: remove it after
            // the reap delay, in which copies of the deleted value still in flight meet the
            // tombstone. A replica whose set changed meanwhile keeps it (the reap compares).
            await DelayAsync(Properties.TombstoneReapDelay).ConfigureAwait(false);
            var request = new ReapRequest
            {
                Partition = (uint)Partition,
                Key = UnsafeByteOperations.UnsafeWrap(StoreKey),
                Siblings = UnsafeByteOperations.UnsafeWrap(SiblingSetCodec.Encode(merged)),
            };
            for (int i = 0; i < Entries.Length; i++)
            {
                Node.Dispatch(Entries[i].Member, new ReplicaMessage { ReapRequest = request.Clone() }, handler: null, index: i);
            }
        }
    }

    /// <inheritdoc />
    protected override void OnDeadline()
    {
        Complete(_quorum, false);
        Complete(_all, false);
    }

    private ReplicaMessage Repair(SiblingSet<ReadOnlyMemory<byte>> merged) => new()
    {
        PutRequest = new PutRequest
        {
            Partition = (uint)Partition,
            Key = UnsafeByteOperations.UnsafeWrap(StoreKey),
            Siblings = UnsafeByteOperations.UnsafeWrap(SiblingSetCodec.Encode(merged)),
            LastWriteWins = Properties.LastWriteWins,
        },
    };
}
