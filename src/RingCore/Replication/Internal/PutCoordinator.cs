using System.Diagnostics;
using Google.Protobuf;
using RingCore.Causality;
using RingCore.Protocol;

namespace RingCore.Replication;

/// <summary>
/// One put (riak_kv_put_fsm): the first entry of the preference list records the client write
/// under its replica id, then the other entries receive the resulting set as replica puts; the
/// put succeeds after W acknowledgements from distinct nodes, PW of them from primaries (Dynamo section 4.5).
/// </summary>
internal sealed class PutCoordinator : ReplicaRequest
{
    private readonly SiblingSet<ReadOnlyMemory<byte>> _clientWrite;
    private readonly Outcome<SiblingSet<ReadOnlyMemory<byte>>?> _coordinated = new();
    private readonly Outcome<bool> _done = new();
    private readonly HashSet<string> _ackedMembers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ackedPrimaryMembers = new(StringComparer.Ordinal);
    private string? _coordinatorError;
    private int _acks, _primaryAcks, _replies;
    private int _coordinator; // the entry coordinating now: 0, or 1 after the first was silent (guarded by Gate)
    private ITimer? _patience;
    private bool _coordinatedDecided, _replicaSentToFirst; // guarded by Gate

    public PutCoordinator(ReplicationService node, RequestName name, int partition, byte[] storeKey, BucketProperties properties,
        TimeSpan timeout, SiblingSet<ReadOnlyMemory<byte>> clientWrite)
        : base(node, name, partition, storeKey, properties, timeout)
    {
        _clientWrite = clientWrite;
    }

    private string Needed => Properties.PW > 0 ? $"W={Properties.W}, PW={Properties.PW}" : $"W={Properties.W}";

    /// <summary>Runs the put; returns the set the coordinating vnode stored (what the write's context will be).</summary>
    public async Task<SiblingSet<ReadOnlyMemory<byte>>> RunAsync()
    {
        try
        {
            if (Entries.Length == 0)
            {
                throw QuorumFailure(Needed);
            }

            Send(0, Request(_clientWrite, coordinate: true));
            ArmDeadline();
            if (Entries.Length > 1 && Node.RetryPutCoordinator)
            {
                // riak_kv's retry_put_coordinator_failure: a coordinator that has crashed but is
                // not yet seen down (the failure detector takes about 2 s) would fail every put
                // it coordinates until then; after half the timeout the next entry coordinates.
                _patience = Node.Time.CreateTimer(static state => ((PutCoordinator)state!).OnCoordinatorSilent(), this,
                    Timeout / 2, System.Threading.Timeout.InfiniteTimeSpan);
            }

            if (await _coordinated.Task.ConfigureAwait(false) is not { } stored)
            {
                // riak_kv_put_fsm fails a put whose coordinating vnode does not record it; the
                // other replicas only ever receive the coordinator's result, so none was written.
                throw QuorumFailure(Needed, CoordinatorFailure());
            }

            int coordinator;
            lock (Gate)
            {
                coordinator = _coordinator;
            }

            lock (Gate)
            {
                _replicaSentToFirst = coordinator != 0;
            }

            for (int i = 0; i < Entries.Length; i++)
            {
                if (i != coordinator)
                {
                    Send(i, Request(stored, coordinate: false));
                }
            }

            if (Properties.AcknowledgeBeforeQuorum)
            {
                return stored; // the deliberately broken build of the partition suite: one copy, acknowledged
            }

            if (!await _done.Task.ConfigureAwait(false))
            {
                var failure = QuorumFailure(Needed);
                failure.PartialWrite = GetResult.Of(stored, Properties.LastWriteWins);
                throw failure;
            }

            return stored;
        }
        finally
        {
            _patience?.Dispose();
            ForgetAll();
        }
    }

    /// <summary>
    /// The first coordinator has not answered in half the timeout: the next entry coordinates
    /// instead. Should the first one have recorded the write after all (it was slow, not dead),
    /// the write has two dots and reads show it twice as siblings until a write with their
    /// context resolves them, as in riak; it is never lost.
    /// </summary>
    private void OnCoordinatorSilent()
    {
        lock (Gate)
        {
            if (_coordinator != 0 || _coordinatedDecided)
            {
                return;
            }

            _coordinator = 1;
            ForgetEntry(0); // a late answer from the first coordinator is ignored
        }

        Node.Metrics.Count(Node.Metrics.CoordinatorRetries);
        Send(1, Request(_clientWrite, coordinate: true));
    }

    public override void OnReply(int index, ReplicaMessage reply)
    {
        if (reply.BodyCase != ReplicaMessage.BodyOneofCase.PutReply)
        {
            return;
        }

        int coordinator;
        lock (Gate)
        {
            coordinator = _coordinator;
            if (coordinator != 0 && index == 0 && !_replicaSentToFirst)
            {
                return; // the first coordinator's late answer (served in process, so not forgotten)
            }
        }

        SiblingSet<ReadOnlyMemory<byte>>? coordinated = null;
        bool ok = reply.PutReply.Error.Length == 0;
        if (ok && index == coordinator)
        {
            try
            {
                coordinated = SiblingSetCodec.Decode(reply.PutReply.Siblings.Memory);
            }
            catch (InvalidDataException)
            {
                ok = false;
                _coordinatorError = "its reply was malformed";
            }
        }
        else if (!ok && index == coordinator)
        {
            _coordinatorError = reply.PutReply.Error;
        }

        lock (Gate)
        {
            _replies++;
            if (ok)
            {
                // Acknowledgements count by node, not by vnode: where a small ring puts two of a
                // key's replicas on one node (fewer members than target_n), they are one disk,
                // and W must mean that W nodes hold the write (Dynamo section 4.5).
                Answered[index] = true;
                var (member, primary) = Entries[index];
                _acks += _ackedMembers.Add(member) ? 1 : 0;
                _primaryAcks += primary && _ackedPrimaryMembers.Add(member) ? 1 : 0;
            }

            Debug.Assert(_acks <= Entries.Length, "each entry acknowledges at most once: replies are matched by request id and removed");

            // Decided under the lock, as the deadline decides: whichever is recorded first wins.
            if (index == coordinator)
            {
                _coordinatedDecided = true;
                Complete(_coordinated, coordinated);
            }

            if (_acks >= Properties.W && _primaryAcks >= Properties.PW)
            {
                Complete(_done, true);
            }
            else if (_replies == Entries.Length)
            {
                Complete(_done, false);
            }
        }
    }

    /// <inheritdoc />
    protected override void OnDeadline()
    {
        lock (Gate)
        {
            _coordinatedDecided = true;
            Complete(_coordinated, null);
            Complete(_done, false);
        }
    }

    /// <summary>"could not be coordinated by n2 (no reply within 500 ms)", or with n2's error.</summary>
    private string CoordinatorFailure()
    {
        int coordinator;
        lock (Gate)
        {
            coordinator = _coordinator;
        }

        var (member, primary) = Entries[coordinator];
        string role = (primary ? member : $"{member} (fallback)") + (coordinator > 0 ? $" after {Entries[0].Member} did not answer" : "");
        string? error = Volatile.Read(ref _coordinatorError);
        return error is null
            ? $"could not be coordinated by {role} (no reply within {(long)Timeout.TotalMilliseconds} ms)"
            : $"could not be coordinated by {role}: {error}";
    }

    private ReplicaMessage Request(SiblingSet<ReadOnlyMemory<byte>> set, bool coordinate) => new()
    {
        PutRequest = new PutRequest
        {
            Partition = (uint)Partition,
            Key = UnsafeByteOperations.UnsafeWrap(StoreKey),
            Siblings = UnsafeByteOperations.UnsafeWrap(SiblingSetCodec.Encode(set)),
            Coordinate = coordinate,
            LastWriteWins = Properties.LastWriteWins,
        },
    };
}
