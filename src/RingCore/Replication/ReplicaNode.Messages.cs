using Google.Protobuf;
using RingCore.Causality;
using RingCore.Protocol;
using RingCore.Storage;

namespace RingCore.Replication;

/// <summary>The message side of <see cref="ReplicaNode"/>: dispatching requests, serving peers' requests, routing replies.</summary>
public sealed partial class ReplicaNode
{
    /// <summary>Handles a message from a peer (called by the transport). A malformed message is counted in <see cref="MalformedMessages"/> and dropped.</summary>
    public void Receive(string node, ReadOnlyMemory<byte> payload)
    {
        ReplicaMessage message;
        try
        {
            message = ReplicaMessage.Parser.ParseFrom(payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        switch (message.BodyCase)
        {
            case ReplicaMessage.BodyOneofCase.GetRequest:
            case ReplicaMessage.BodyOneofCase.PutRequest:
            case ReplicaMessage.BodyOneofCase.ReapRequest:
                _ = ServeRemoteAsync(node, message);
                break;
            case ReplicaMessage.BodyOneofCase.GetReply:
            case ReplicaMessage.BodyOneofCase.PutReply:
            case ReplicaMessage.BodyOneofCase.ReapReply:
                DeliverReply(node, message);
                break;
            default:
                Interlocked.Increment(ref _malformed);
                break;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="member"/> (an in-process call when it
    /// is this node) and routes its reply to <paramref name="handler"/>; a null handler sends
    /// without waiting for a reply (read repair, reaps). Returns the request id.
    /// </summary>
    internal ulong Dispatch(string member, ReplicaMessage request, IReplicaReplyHandler? handler, int index)
    {
        ulong id = (ulong)Interlocked.Increment(ref _nextRequestId);
        request.RequestId = id;
        if (handler is not null)
        {
            _pending[id] = new PendingReply(handler, index, member);
        }

        if (member == Name)
        {
            _ = ServeLocalAsync(request);
        }
        else
        {
            _transport.Send(member, request.ToByteArray());
        }

        return id;
    }

    /// <summary>Forgets a request whose reply no longer matters; a late reply is then ignored.</summary>
    internal void Forget(ulong requestId) => _pending.TryRemove(requestId, out _);

    private void DeliverReply(string from, ReplicaMessage reply)
    {
        // An unknown id is a late or duplicated reply, or one for a request this node never sent.
        if (_pending.TryGetValue(reply.RequestId, out var pending) && pending.Member == from &&
            _pending.TryRemove(reply.RequestId, out _))
        {
            pending.Handler.OnReply(pending.Index, reply);
        }
    }

    private async Task ServeLocalAsync(ReplicaMessage request)
    {
        var reply = await ServeAsync(request).ConfigureAwait(false);
        DeliverReply(Name, reply);
    }

    /// <summary>
    /// Serves a peer's request and sends the reply. Fire-and-forget: <see cref="ServeAsync"/>
    /// turns every failure into an error reply, and a reply that cannot be sent is lost the way
    /// a dropped message is (the coordinator times out), so this task never faults unobserved.
    /// </summary>
    private async Task ServeRemoteAsync(string from, ReplicaMessage request)
    {
        var reply = await ServeOnceAsync(from, request).ConfigureAwait(false);
        try
        {
            _transport.Send(from, reply.ToByteArray());
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            // Too large for the transport, or the sender left the network: nothing to answer to.
            Interlocked.Increment(ref _unsentReplies);
        }
    }

    /// <summary>
    /// Serves a request once per (sender, request id) when it is a coordinated put: a duplicate
    /// of one gets the first serving's reply, never a second dot (see <see cref="CoordinatedPutLog"/>).
    /// </summary>
    private Task<ReplicaMessage> ServeOnceAsync(string from, ReplicaMessage request)
    {
        if (request.BodyCase != ReplicaMessage.BodyOneofCase.PutRequest || !request.PutRequest.Coordinate)
        {
            return ServeAsync(request);
        }

        var serving = new TaskCompletionSource<ReplicaMessage>();
        return _servedPuts.Begin(from, request.PutRequest, request.RequestId, serving) ?? ServeAndRecordAsync(request, serving);
    }

    private async Task<ReplicaMessage> ServeAndRecordAsync(ReplicaMessage request, TaskCompletionSource<ReplicaMessage> serving)
    {
        var reply = await ServeAsync(request).ConfigureAwait(false);
        serving.TrySetResult(reply);
        return reply;
    }

    /// <summary>Runs a replica request and builds its reply; failures become error replies, never exceptions.</summary>
    private async Task<ReplicaMessage> ServeAsync(ReplicaMessage request)
    {
        var reply = new ReplicaMessage { RequestId = request.RequestId };
        try
        {
            switch (request.BodyCase)
            {
                case ReplicaMessage.BodyOneofCase.GetRequest:
                {
                    var get = request.GetRequest;
                    var vnode = await VNodeAsync(CheckPartition(get.Partition)).ConfigureAwait(false);
                    var set = await vnode.GetAsync(CheckKey(get.Key)).ConfigureAwait(false);
                    reply.GetReply = new GetReply { Partition = get.Partition, Found = set is not null };
                    if (set is not null)
                    {
                        reply.GetReply.Siblings = UnsafeByteOperations.UnsafeWrap(SiblingSetCodec.Encode(set));
                    }

                    break;
                }

                case ReplicaMessage.BodyOneofCase.PutRequest:
                {
                    var put = request.PutRequest;
                    var vnode = await VNodeAsync(CheckPartition(put.Partition)).ConfigureAwait(false);
                    var key = CheckKey(put.Key);
                    var set = CheckSet(put.Siblings);
                    if (put.Coordinate && (set.Count != 1 || set.AnonymousCount != 1))
                    {
                        throw new InvalidDataException("a coordinated put must carry exactly one value without a dot");
                    }

                    var stored = put.Coordinate
                        ? await vnode.CoordinatePutAsync(key, set, put.LastWriteWins).ConfigureAwait(false)
                        : await vnode.ReplicaPutAsync(key, set, put.LastWriteWins).ConfigureAwait(false);
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
                    var vnode = await VNodeAsync(CheckPartition(reap.Partition)).ConfigureAwait(false);
                    bool reaped = await vnode.ReapAsync(CheckKey(reap.Key), CheckSet(reap.Siblings)).ConfigureAwait(false);
                    reply.ReapReply = new ReapReply { Partition = reap.Partition, Reaped = reaped };
                    break;
                }
            }
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException)
        {
            // A malformed request from a peer: counted, answered with the reason, never thrown.
            Interlocked.Increment(ref _malformed);
            SetError(request, reply, error.Message);
        }
        catch (Exception error)
        {
            // Storage failures, a disposed node, a bug: the coordinator gets the reason in an
            // error reply instead of a timeout, and no task faults unobserved (riak_kv_vnode
            // answers {error, Reason} the same way).
            SetError(request, reply, $"{error.GetType().Name} on {Name}: {error.Message}");
        }

        return reply;
    }

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

    private int CheckPartition(uint partition) => partition < (uint)_ring.PartitionCount
        ? (int)partition
        : throw new InvalidDataException($"partition {partition} is not in a ring of {_ring.PartitionCount}");

    private static ReadOnlyMemory<byte> CheckKey(ByteString key) =>
        key.Length > 1 && key.Length <= StorageLimits.MaxKeyBytes && key[0] == ReplicaVNode.UserKeyPrefix
            ? key.Memory
            : throw new InvalidDataException($"a key of {key.Length} bytes is not a replicated object's key");

    private static SiblingSet<ReadOnlyMemory<byte>> CheckSet(ByteString bytes)
    {
        var set = SiblingSetCodec.Decode(bytes.Memory);
        return SiblingMerge.IsWellFormed(set)
            ? set
            : throw new InvalidDataException("a value is shorter than its header");
    }
}
