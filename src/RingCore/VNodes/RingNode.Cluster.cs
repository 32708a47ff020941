using System.Collections.Concurrent;
using Google.Protobuf;
using RingCore.Actors;
using RingCore.Hashing;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.VNodes;

/// <summary>
/// The cluster side of <see cref="RingNode"/> (issue 4, replicated actors): routing a message to
/// the node that hosts its actor, serving messages from peers, and keeping actor state in the
/// replicated store.
/// </summary>
/// <remarks>
/// <para>Routing follows DESIGN.md's request path: key position, partition, the annotated
/// preference list over the nodes this one can reach, then the first entry for
/// <see cref="ActorPlacement.Available"/> (an up primary, else a fallback) or the primary owner
/// for <see cref="ActorPlacement.Strict"/>. A local host gets the message in process; a remote
/// one over the transport, serialized by the actor type's message serializer.</para>
/// <para>A node that receives a message for an actor hosts it: it does not route again, so two
/// nodes with different views of who is up cannot bounce a message between them. Its vnode
/// passivates the activation on its next sweep once this node is no longer the actor's host (a
/// primary came back), and the next message activates it there with the state its quorum read
/// finds.</para>
/// <para>When this node's view of which nodes are reachable changes (the view epoch moves), each
/// vnode's next sweep passivates its Available activations too: a partition began or healed, so
/// an activation may have missed the other side's writes, and its next activation's quorum read
/// merges them. Until hinted handoff moves actors, that sweep is what ends the second activation
/// a partition or a crash made.</para>
/// <para>Remote messages are at most once, like any message on the network: a lost request or
/// reply ends the Ask in its timeout, and a duplicated request is dropped by its (sender, id). The
/// pending table forgets an Ask after <see cref="RingNodeOptions.RemoteAskRetention"/>, so a
/// reply later than that is dropped.</para>
/// </remarks>
public sealed partial class RingNode : ITransportReceiver
{
    private ClusterState? _cluster;

    /// <summary>Duplicated actor requests from peers that were dropped (each request is delivered at most once).</summary>
    public long DuplicateMessages => _cluster is { } cluster ? Interlocked.Read(ref cluster.Duplicates) : 0;

    /// <summary>Messages from peers that could not be parsed or named no known actor type or message, dropped or answered with an error.</summary>
    public long MalformedMessages => _cluster is { } cluster ? Interlocked.Read(ref cluster.Malformed) : 0;

    /// <summary>
    /// Starts a node of a cluster: actors activate where the ring and <paramref name="replicas"/>'
    /// view of reachable nodes place them, and their durable state is read and written through
    /// <paramref name="replicas"/> with quorums (an actor type's state lives in the bucket named
    /// after it). Dispose this node before <paramref name="replicas"/>, since passivation stores
    /// WriteBehind state through it.
    /// </summary>
    /// <param name="options">The node's settings; <see cref="RingNodeOptions.NodeName"/> must be the replica node's name, and <see cref="RingNodeOptions.PartitionCount"/> its ring's.</param>
    /// <param name="configureActors">Defines the actor types; every node of the cluster must define the same ones.</param>
    /// <param name="replicas">This node's replicated store, which also gives the ring.</param>
    /// <param name="transport">The transport actor messages travel on (a channel of the node's <see cref="TransportMultiplexer"/>); the node attaches itself as its receiver.</param>
    /// <param name="scheduler">Where mailbox turns run; the thread pool when null.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <exception cref="ArgumentException">The names or ring sizes do not agree, or the transport belongs to another node.</exception>
    public static RingNode StartInCluster(RingNodeOptions options, Action<ActorRegistry> configureActors, ReplicaNode replicas, ITransport transport,
        IActorScheduler? scheduler = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configureActors);
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(transport);
        options.Validate();
        if (options.NodeName != replicas.Name || transport.LocalNode != replicas.Name)
        {
            throw new ArgumentException(
                $"RingNodeOptions.NodeName ('{options.NodeName}'), the replica node ('{replicas.Name}') and the transport ('{transport.LocalNode}') must name the same node.",
                nameof(options));
        }

        var ring = replicas.Ring;
        if (options.PartitionCount != ring.PartitionCount)
        {
            throw new ArgumentException(
                $"RingNodeOptions.PartitionCount is {options.PartitionCount}, but the cluster's ring has {ring.PartitionCount} partitions.", nameof(options));
        }

        var actors = new ActorRegistry();
        configureActors(actors);
        var node = new RingNode(options, ring, actors, new VNode?[ring.PartitionCount], scheduler ?? ThreadPoolActorScheduler.Instance,
            time ?? TimeProvider.System);
        node._incarnation = replicas.Incarnation;
        node._cluster = new ClusterState(replicas, transport, new ReplicatedActorStateStore(replicas)) { NextRequestId = replicas.IncarnationNumber };
        node.ObserveView();
        node._cluster.AskSweep = node.Time.CreateTimer(static state => ((RingNode)state!).ForgetStaleAsks(), node,
            options.PassivationSweepInterval, options.PassivationSweepInterval);
        transport.Attach(node);
        return node;
    }

    /// <summary>Handles an actor message from a peer (called by the transport); malformed ones are counted and never throw.</summary>
    public void Receive(string node, ReadOnlyMemory<byte> payload)
    {
        if (_cluster is not { } cluster)
        {
            return;
        }

        ActorMessage message;
        try
        {
            message = ActorMessage.Parser.ParseFrom(payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            Interlocked.Increment(ref cluster.Malformed);
            return;
        }

        switch (message.BodyCase)
        {
            case ActorMessage.BodyOneofCase.Request:
                Serve(cluster, node, message.RequestId, message.Request);
                break;
            case ActorMessage.BodyOneofCase.Reply:
                CompleteRemoteAsk(cluster, node, message.RequestId, message.Reply);
                break;
            default:
                Interlocked.Increment(ref cluster.Malformed);
                break;
        }
    }

    /// <summary>
    /// The node this node routes <paramref name="actor"/>'s messages to now (by its view of who is
    /// reachable): this node's own name outside a cluster.
    /// </summary>
    /// <exception cref="ActorUnavailableException">No node that may host the actor is reachable.</exception>
    public string HostOf(ActorRef actor)
    {
        var address = actor.Address ?? throw new ArgumentException("This ActorRef is default; get one from RingNode.GetActor.", nameof(actor));
        if (_cluster is null)
        {
            return Name;
        }

        ObserveView();
        int partition = Ring.PartitionOf(address.Position);
        return HostOf(address.Type, partition) ?? throw Unavailable(address, partition);
    }

    /// <summary>The node that should host actors of <paramref name="type"/> on <paramref name="partition"/>, by this node's view; null when none is reachable.</summary>
    /// <remarks>
    /// Cached per actor type and partition until the view epoch moves (or the type's N changes),
    /// so routing a message does not build the annotated preference list each time.
    /// </remarks>
    private string? HostOf(ActorType type, int partition)
    {
        var cluster = _cluster!;
        long epoch = Interlocked.Read(ref cluster.ViewEpoch);
        int n = cluster.Replicas.PropertiesOf(type.Name).N;
        var slot = (type.Index, partition);
        if (cluster.Hosts.TryGetValue(slot, out var cached) && cached.Epoch == epoch && cached.N == n)
        {
            return cached.Host;
        }

        var host = FindHost(type, partition, n);
        cluster.Hosts[slot] = (epoch, n, host);
        return host;
    }

    private string? FindHost(ActorType type, int partition, int n)
    {
        var replicas = _cluster!.Replicas;
        var list = replicas.PreferenceList(partition, n, out var primaries);
        if (type.Placement == ActorPlacement.Strict)
        {
            return replicas.CanReach(primaries[0]) ? primaries[0] : null;
        }

        return list.Length > 0 ? list[0].Member : null;
    }

    /// <summary>
    /// Looks at which nodes are reachable now and returns the view epoch: a counter that moves
    /// each time that set is seen to change. It is looked at on every routed or served message
    /// and every vnode sweep, so a partition that begins and heals between two sweeps still moves
    /// it, and the sweep refreshes activations that may have missed the other side's writes.
    /// </summary>
    private ulong ObserveView()
    {
        var cluster = _cluster!;
        var members = Ring.Members;
        Span<byte> up = members.Length <= 256 ? stackalloc byte[members.Length] : new byte[members.Length];
        for (int i = 0; i < members.Length; i++)
        {
            up[i] = cluster.Replicas.CanReach(members[i].Name) ? (byte)1 : (byte)0;
        }

        ulong fingerprint = XxHash64.Hash(up);
        ulong seen = Interlocked.Read(ref cluster.ViewFingerprint);
        if (fingerprint != seen && Interlocked.CompareExchange(ref cluster.ViewFingerprint, fingerprint, seen) == seen)
        {
            return (ulong)Interlocked.Increment(ref cluster.ViewEpoch);
        }

        return (ulong)Interlocked.Read(ref cluster.ViewEpoch);
    }

    private void DeliverInCluster(ActorAddress address, in Envelope envelope)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var cluster = _cluster!;
        ObserveView();
        int partition = Ring.PartitionOf(address.Position);
        var host = HostOf(address.Type, partition) ?? throw Unavailable(address, partition);
        if (host == Name)
        {
            address.Activation = LocalVNode(partition).Deliver(address.Type, address.Key, address.Position, envelope);
            return;
        }

        var type = address.Type;
        var messageType = envelope.Message.GetType();
        byte[] payload;
        try
        {
            payload = type.MessageSerializer.Serialize(envelope.Message, messageType);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new ArgumentException($"The {messageType.Name} for {type.Name} could not be serialized to send it to {host}: {error.Message}", error);
        }

        var request = new ActorRequest
        {
            ActorType = type.Name,
            Key = UnsafeByteOperations.UnsafeWrap(address.Key),
            MessageType = ActorType.WireName(messageType),
            Payload = UnsafeByteOperations.UnsafeWrap(payload),
            Strict = type.Placement == ActorPlacement.Strict,
        };
        // Every request gets an id, Tells too: the receiver drops a duplicated one (the network
        // may deliver a message twice), so a message is handled at most once.
        ulong id = (ulong)Interlocked.Increment(ref cluster.NextRequestId);
        if (envelope.Reply is { } sink)
        {
            request.ExpectsReply = true;
            cluster.PendingAsks[id] = new RemoteAsk(sink, envelope.ReplyToken, host, type.ReplyTypes[messageType], type, Time.GetTimestamp());
        }

        try
        {
            cluster.Transport.Send(host, new ActorMessage { RequestId = id, Request = request }.ToByteArray());
        }
        catch
        {
            cluster.PendingAsks.TryRemove(id, out _);
            throw;
        }
    }

    private ActorUnavailableException Unavailable(ActorAddress address, int partition)
    {
        var owner = Ring.OwnerMemberOf(partition).Name;
        return address.Type.Placement == ActorPlacement.Strict
            ? new ActorUnavailableException(
                $"{address.Type.Name} actors are placed Strict, and the primary owner of partition {partition}, {owner}, is unreachable from {Name}.")
            : new ActorUnavailableException($"No node of partition {partition}'s preference list is reachable from {Name}.");
    }

    private VNode LocalVNode(int partition)
    {
        if (Volatile.Read(ref _vnodes[partition]) is { } vnode)
        {
            return vnode;
        }

        lock (_vnodes)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            vnode = _vnodes[partition];
            if (vnode is null)
            {
                vnode = new VNode(partition, _cluster!.StateStore, this, _scheduler, Time, _options);
                Volatile.Write(ref _vnodes[partition], vnode);
            }

            return vnode;
        }
    }

    /// <summary>Serves a peer's message: validates it, then delivers it to the local activation (never routed again).</summary>
    private void Serve(ClusterState cluster, string from, ulong requestId, ActorRequest request)
    {
        ObserveView();
        if (!cluster.Served.TryAdd((from, requestId), Time.GetTimestamp()))
        {
            Interlocked.Increment(ref cluster.Duplicates);
            return; // a duplicate of a request already delivered (its reply, if any, is on its way or lost)
        }

        if (!request.ExpectsReply)
        {
            requestId = 0; // a Tell: nothing to answer, problems included
        }

        var type = _actors.Find(request.ActorType);
        var messageType = type?.MessageTypeNamed(request.MessageType);
        int keyLimit = type is null ? 0 : StorageLimits.MaxKeyBytes - type.NameBytes.Length - 1;
        string? problem = type is null ? $"no actor type '{request.ActorType}' is defined on {Name}"
            : messageType is null ? $"actor type '{type.Name}' has no handler for '{request.MessageType}'"
            : request.Key.Length == 0 || request.Key.Length > keyLimit ? $"an actor key must be 1 to {keyLimit} bytes (got {request.Key.Length})"
            : null;
        if (problem is not null)
        {
            Interlocked.Increment(ref cluster.Malformed);
            Answer(cluster, from, requestId, new ActorReply { Error = problem });
            return;
        }

        object message;
        try
        {
            message = type!.MessageSerializer.Deserialize(request.Payload.Span, messageType!);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Interlocked.Increment(ref cluster.Malformed);
            Answer(cluster, from, requestId, new ActorReply { Error = $"the {messageType!.Name} could not be read: {error.Message}" });
            return;
        }

        var key = request.Key.ToByteArray();
        ulong position = KeyPosition.Of(type.Seed, key);
        int partition = Ring.PartitionOf(position);
        if (request.Strict && Ring.OwnerMemberOf(partition).Name != Name)
        {
            Answer(cluster, from, requestId, new ActorReply
            {
                Error = $"{type.Name} actors are placed Strict and {Name} is not the primary owner of partition {partition} ({Ring.OwnerMemberOf(partition).Name} is)",
            });
            return;
        }

        var sink = requestId == 0 ? null : new RemoteReplySink(this, cluster, from, requestId, type.ReplyTypes[messageType!], type.MessageSerializer);
        try
        {
            LocalVNode(partition).Deliver(type, key, position, new Envelope(message, sink, 0, EnvelopeKind.User));
        }
        catch (ObjectDisposedException error)
        {
            Answer(cluster, from, requestId, new ActorReply { Error = error.Message });
        }
    }

    private void CompleteRemoteAsk(ClusterState cluster, string from, ulong requestId, ActorReply reply)
    {
        // An unknown id is a late or duplicated reply, or one for an Ask this node never sent.
        if (!cluster.PendingAsks.TryGetValue(requestId, out var ask) || ask.Host != from || !cluster.PendingAsks.TryRemove(requestId, out _))
        {
            return;
        }

        if (reply.Error.Length > 0)
        {
            ask.Sink.Fail(ask.Token, new RemoteActorException(from, reply.ErrorType, reply.Error));
            return;
        }

        if (!reply.HasValue || ask.ReplyType is null)
        {
            ask.Sink.Complete(ask.Token, null);
            return;
        }

        object value;
        try
        {
            value = ask.Type.MessageSerializer.Deserialize(reply.Payload.Span, ask.ReplyType);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Interlocked.Increment(ref cluster.Malformed);
            ask.Sink.Fail(ask.Token, new InvalidDataException($"The reply from {from} could not be read as {ask.ReplyType.Name}: {error.Message}", error));
            return;
        }

        ask.Sink.Complete(ask.Token, value);
    }

    /// <summary>Sends an Ask's outcome back to its node; a Tell (request id 0) gets none.</summary>
    private void Answer(ClusterState cluster, string to, ulong requestId, ActorReply reply)
    {
        if (requestId == 0)
        {
            return;
        }

        try
        {
            cluster.Transport.Send(to, new ActorMessage { RequestId = requestId, Reply = reply }.ToByteArray());
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            // Too large for the transport, or the asker left the network: it ends in its timeout.
            Interlocked.Increment(ref cluster.UnsentReplies);
        }
    }

    private void ForgetStaleAsks()
    {
        var cluster = _cluster!;
        foreach (var (id, ask) in cluster.PendingAsks)
        {
            if (Time.GetElapsedTime(ask.Started) > _options.RemoteAskRetention)
            {
                cluster.PendingAsks.TryRemove(id, out _);
            }
        }

        foreach (var (request, served) in cluster.Served)
        {
            if (Time.GetElapsedTime(served) > _options.RemoteAskRetention)
            {
                cluster.Served.TryRemove(request, out _);
            }
        }
    }

    private void StopCluster() => _cluster?.AskSweep?.Dispose();

    private sealed class ClusterState(ReplicaNode replicas, ITransport transport, IActorStateStore stateStore)
    {
        public long Malformed;
        public long UnsentReplies;
        public long NextRequestId;
        public long ViewEpoch;
        public ulong ViewFingerprint;

        public ReplicaNode Replicas { get; } = replicas;

        public ITransport Transport { get; } = transport;

        public IActorStateStore StateStore { get; } = stateStore;

        public long Duplicates;

        public ConcurrentDictionary<ulong, RemoteAsk> PendingAsks { get; } = new();

        /// <summary>Where each (actor type, partition) is hosted, as of a view epoch and an N.</summary>
        public ConcurrentDictionary<(int Type, int Partition), (long Epoch, int N, string? Host)> Hosts { get; } = new();

        /// <summary>Requests delivered here, by (sender, request id), kept for <see cref="RingNodeOptions.RemoteAskRetention"/> to drop duplicates.</summary>
        public ConcurrentDictionary<(string From, ulong Id), long> Served { get; } = new();

        public ITimer? AskSweep { get; set; }
    }

    private sealed record RemoteAsk(IReplySink Sink, int Token, string Host, Type? ReplyType, ActorType Type, long Started);

    /// <summary>Where the handler's outcome goes when the Ask came from another node: back over the transport.</summary>
    private sealed class RemoteReplySink(RingNode node, ClusterState cluster, string asker, ulong requestId, Type? replyType, IMessageSerializer serializer)
        : IReplySink
    {
        public void Complete(int token, object? reply)
        {
            var answer = new ActorReply { HasValue = reply is not null };
            if (reply is not null)
            {
                try
                {
                    answer.Payload = UnsafeByteOperations.UnsafeWrap(serializer.Serialize(reply, replyType ?? reply.GetType()));
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    answer = new ActorReply { Error = $"the reply could not be serialized: {error.Message}" };
                }
            }

            node.Answer(cluster, asker, requestId, answer);
        }

        public void Fail(int token, Exception exception) =>
            node.Answer(cluster, asker, requestId, new ActorReply { Error = exception.Message, ErrorType = exception.GetType().FullName ?? "" });
    }
}
