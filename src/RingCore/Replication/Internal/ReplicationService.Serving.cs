using Google.Protobuf;
using RingCore.Causality;
using RingCore.Diagnostics;
using RingCore.Protocol;
using RingCore.Storage;
using RingCore.Transport;
using RingCore.VNodes;

namespace RingCore.Replication;

/// <summary>The replica side of <see cref="ReplicationService"/>: serving replica requests from peers and from this node's own coordinators.</summary>
internal sealed partial class ReplicationService
{
    private static readonly Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> KeepSiblings =
        static (local, incoming) => SiblingMerge.Merge(local, incoming, lastWriteWins: false);

    private static readonly Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> LastWriteWins =
        static (local, incoming) => SiblingMerge.Merge(local, incoming, lastWriteWins: true);

    /// <summary>
    /// Serves a replica request (PeerRpc has already dropped duplicates) and replies.
    /// Fire-and-forget: <see cref="ServeAsync"/> turns every failure into an error reply, and a
    /// reply that cannot be sent is lost the way a dropped message is (the coordinator times out),
    /// so this task never faults unobserved.
    /// </summary>
    public void OnRequest(PeerRequest request, PeerFrame frame) => _ = ServeAndReplyAsync(request, frame.Replica);

    private async Task ServeAndReplyAsync(PeerRequest request, ReplicaMessage message)
    {
        var reply = await ServeAsync(request.From, message).ConfigureAwait(false);
        if (reply is not null)
        {
            _rpc.Reply(request, new PeerFrame { Replica = reply });
        }
    }

    private async Task ServeLocallyAsync(ReplicaMessage request, ReplicaRequest? handler, int index)
    {
        var reply = await ServeAsync(Name, request).ConfigureAwait(false);
        if (reply is not null && handler is not null)
        {
            handler.OnReply(index, reply);
        }
    }

    /// <summary>Runs a replica request and builds its reply; failures become error replies, never exceptions.</summary>
    private async Task<ReplicaMessage?> ServeAsync(string from, ReplicaMessage request)
    {
        if (_stopped)
        {
            return null; // a stopped or crashed node answers nothing, like a dead process
        }

        var reply = new ReplicaMessage();
        try
        {
            switch (request.BodyCase)
            {
                case ReplicaMessage.BodyOneofCase.GetRequest:
                {
                    var get = request.GetRequest;
                    var vnode = VNodeOf(get.Partition);
                    // The stored bytes as they are: the coordinator decodes and checks every answer.
                    var stored = await vnode.GetStoredAsync(CheckKey(get.Key)).ConfigureAwait(false);
                    reply.GetReply = new GetReply { Partition = get.Partition, Found = stored is not null };
                    if (stored is { } bytes)
                    {
                        reply.GetReply.Siblings = UnsafeByteOperations.UnsafeWrap(bytes);
                    }

                    break;
                }

                case ReplicaMessage.BodyOneofCase.PutRequest:
                {
                    var put = request.PutRequest;
                    var vnode = VNodeOf(put.Partition);
                    var key = CheckKey(put.Key);
                    var set = CheckSet(put.Siblings);
                    if (put.Coordinate && (set.Count != 1 || set.AnonymousCount != 1))
                    {
                        throw new InvalidDataException("a coordinated put must carry exactly one value without a dot");
                    }

                    if (put.Hinted || !IsPrimaryHere((int)put.Partition, key.Span))
                    {
                        // A fallback's copy, or one sent here by a coordinator whose ring is behind
                        // this node's: handoff gives it to the primaries (issue 13's partition suite).
                        vnode.MarkMisplaced();
                    }

                    var stored = put.Coordinate
                        ? await vnode.CoordinatePutAsync(key, set, put.LastWriteWins).ConfigureAwait(false)
                        : await vnode.ReplicaPutAsync(key, set, put.LastWriteWins ? LastWriteWins : KeepSiblings).ConfigureAwait(false);
                    reply.PutReply = new PutReply
                    {
                        Partition = put.Partition,
                        Siblings = UnsafeByteOperations.UnsafeWrap(SiblingSetCodec.Encode(stored)),
                    };
                    break;
                }

                case ReplicaMessage.BodyOneofCase.ReapRequest:
                {
                    var reap = request.ReapRequest;
                    var vnode = VNodeOf(reap.Partition);
                    var expected = CheckSet(reap.Siblings);
                    bool reaped = await vnode.ReapAsync(CheckKey(reap.Key),
                        local => SiblingMerge.AllTombstones(local) && local.Equals(expected, ByteValueComparer.Instance)).ConfigureAwait(false);
                    reply.ReapReply = new ReapReply { Partition = reap.Partition, Reaped = reaped };
                    break;
                }

                default:
                    _rpc.Malformed(from, $"a replica message with no request ({request.BodyCase})");
                    return null;
            }
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException)
        {
            // A malformed request from a peer: counted, answered with the reason, never thrown.
            _rpc.Malformed(from, error.Message);
            SetError(request, reply, error.Message);
        }
        catch (ObjectDisposedException error)
        {
            SetError(request, reply, $"{error.GetType().Name} on {Name}: {error.Message}");
        }
        catch (Exception error)
        {
            // Storage failures, a bug: the coordinator gets the reason in an error reply instead
            // of a timeout, the operator gets a log line and a count, and no task faults
            // unobserved (riak_kv_vnode answers {error, Reason} the same way).
            Metrics.Count(Metrics.StoreErrors);
            RingCoreLog.ServeFailed(Logger, error, request.BodyCase.ToString(), PartitionOf(request), Name);
            SetError(request, reply, $"{error.GetType().Name} on {Name}: {error.Message}");
        }

        return reply;
    }

    private static uint PartitionOf(ReplicaMessage request) => request.BodyCase switch
    {
        ReplicaMessage.BodyOneofCase.GetRequest => request.GetRequest.Partition,
        ReplicaMessage.BodyOneofCase.PutRequest => request.PutRequest.Partition,
        ReplicaMessage.BodyOneofCase.ReapRequest => request.ReapRequest.Partition,
        _ => 0,
    };

    private static void SetError(ReplicaMessage request, ReplicaMessage reply, string error)
    {
        switch (request.BodyCase)
        {
            case ReplicaMessage.BodyOneofCase.GetRequest:
                reply.GetReply = new GetReply { Partition = request.GetRequest.Partition, Error = error };
                break;
            case ReplicaMessage.BodyOneofCase.PutRequest:
                reply.PutReply = new PutReply { Partition = request.PutRequest.Partition, Error = error };
                break;
            default:
                reply.ReapReply = new ReapReply { Partition = request.ReapRequest.Partition, Error = error };
                break;
        }
    }

    private VNode VNodeOf(uint partition)
    {
        int count = Routing.Ring.PartitionCount;
        return partition < (uint)count
            ? _vnodes.Get((int)partition)
            : throw new InvalidDataException($"partition {partition} is not in a ring of {count}");
    }

    private static ReadOnlyMemory<byte> CheckKey(ByteString key) =>
        key.Length > 1 && key.Length <= StorageLimits.MaxKeyBytes && key[0] == VNode.UserKeyPrefix
            ? key.Memory
            : throw new InvalidDataException($"a key of {key.Length} bytes is not a replicated object's key");

    private static SiblingSet<ReadOnlyMemory<byte>> CheckSet(ByteString bytes)
    {
        var set = SiblingSetCodec.Decode(bytes.Memory);
        return SiblingMerge.IsWellFormed(set)
            ? set
            : throw new InvalidDataException("a value is shorter than its header");
    }

    /// <summary>Whether this node is one of the N primaries of <paramref name="storeKey"/> (of <paramref name="partition"/>) by its own ring.</summary>
    private bool IsPrimaryHere(int partition, ReadOnlySpan<byte> storeKey)
    {
        // Where this node stands among the partition's owners decides without the key's bucket
        // in the usual cases (first, or not there at all, or every bucket's N reaches it), so a
        // replica put parses no bucket name and allocates nothing here.
        var view = _routing.Current;
        int offset = 0;
        while (offset < view.MaxN && view.PrimaryOf(partition, offset) != view.Self)
        {
            offset++;
        }

        if (offset == view.MaxN)
        {
            return false;
        }

        if (offset < Volatile.Read(ref _smallestN))
        {
            return true;
        }

        int n = BucketOf(storeKey) is { } bucket ? PropertiesOf(bucket).N : 1;
        return offset < n;
    }
}
