using System.Collections.Immutable;
using Google.Protobuf;
using RingCore.Causality;
using RingCore.Diagnostics;
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
internal sealed class GetCoordinator : ReplicaRequest, IThreadPoolWorkItem
{
    private readonly SiblingSet<ReadOnlyMemory<byte>>?[] _answers;
    private readonly Outcome<bool> _quorum = new();
    private int _ok, _primaryOk, _found, _primaryFound, _replies;

    // Read repair starts once the quorum was met and every entry answered or the deadline
    // passed, whichever comes last; these say which have happened (guarded by Gate).
    private bool _quorumMet, _allAnswered, _expired, _repairing;

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

        // One message for every entry: it is serialized (or served in process) during the send.
        var request = new ReplicaMessage { GetRequest = new GetRequest { Partition = (uint)Partition, Key = UnsafeByteOperations.UnsafeWrap(StoreKey) } };
        for (int i = 0; i < Entries.Length; i++)
        {
            Send(i, request);
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
        bool repair;
        lock (Gate)
        {
            _quorumMet = true;
            repair = ClaimRepair();
        }

        if (repair)
        {
            Node.Scheduler.Schedule(this);
        }

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

        bool repair;
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
                Complete(_quorum, true); // decided under the lock, as the deadline decides: whichever is recorded first wins
            }
            else if (_replies == Entries.Length)
            {
                Complete(_quorum, false);
            }

            _allAnswered |= _replies == Entries.Length;
            repair = ClaimRepair();
        }

        if (repair)
        {
            Node.Scheduler.Schedule(this);
        }
    }

    /// <summary>True once, when read repair may start: the quorum was met and every entry answered or the deadline passed (under Gate).</summary>
    private bool ClaimRepair()
    {
        if (_quorumMet && !_repairing && (_allAnswered || _expired))
        {
            _repairing = true;
            return true;
        }

        return false;
    }

    /// <summary>Read repair, on the node's scheduler (the coordinator is its own work item: nothing allocated to start it).</summary>
    void IThreadPoolWorkItem.Execute() => Repair();

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

    private void Repair()
    {
        bool allAnswered;
        lock (Gate)
        {
            allAnswered = _allAnswered;
        }

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
                var copy = repair.Clone();
                copy.PutRequest.Hinted = !Entries[i].Primary;
                Node.Dispatch(Entries[i].Member, copy, handler: null, index: i);
            }
        }

        if (reap)
        {
            _ = ReapAsync(merged);
        }
    }

    /// <summary>
    /// Every one of the N primaries holds exactly this all-tombstone set: removes it after the
    /// reap delay, in which copies of the deleted value still in flight meet the tombstone. A
    /// replica whose set changed meanwhile keeps it (the reap compares).
    /// </summary>
    private async Task ReapAsync(SiblingSet<ReadOnlyMemory<byte>> merged)
    {
        try
        {
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
        catch (Exception error) when (error is ArgumentException or ObjectDisposedException or InvalidOperationException)
        {
            // Nobody awaits a reap: a member that left the network or a node that stopped is
            // logged here, and the tombstone stays until a later read reaps it.
            RingCoreLog.ReapFailed(Node.Logger, error, Description);
        }
    }

    /// <inheritdoc />
    protected override void OnDeadline()
    {
        bool repair;
        lock (Gate)
        {
            Complete(_quorum, false);
            _expired = true;
            repair = ClaimRepair();
        }

        if (repair)
        {
            Node.Scheduler.Schedule(this);
        }
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
