using System.Collections.Concurrent;
using Google.Protobuf;
using RingCore.Hashing;
using RingCore.Membership;
using RingCore.Protocol;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.Actors;

/// <summary>
/// Routes actor messages to the node that hosts their actor, and serves the messages peers
/// route here (issue 4, replicated actors; docs/architecture.md: the request path).
/// </summary>
/// <remarks>
/// <para>Routing: key position, partition, the annotated preference list of the current
/// <see cref="RoutingView"/>, then its first entry for <see cref="ActorPlacement.Available"/>
/// (an up primary, else a fallback) or the primary owner for <see cref="ActorPlacement.Strict"/>.
/// A local host gets the message in process; a remote one through <see cref="PeerRpc"/>,
/// serialized by the actor type's message serializer.</para>
/// <para>A node that receives a message for an actor hosts it: it does not route again, so two
/// nodes with different views of who is up cannot bounce a message between them. Its vnode
/// passivates the activation on its next sweep once this node is no longer the actor's host (a
/// primary came back), and the next message activates it there with the state its quorum read
/// finds.</para>
/// <para>Remote messages are at most once, like any message on the network: a lost request or
/// reply ends the Ask in its timeout, and PeerRpc's duplicate window drops a duplicated request.</para>
/// </remarks>
internal sealed class ActorRouter : IPeerService
{
    private readonly string _self;
    private readonly ActorRegistry _actors;
    private readonly RingManager _routing;
    private readonly PeerRpc _rpc;
    private readonly Func<int, ActorTable> _localTable;
    private readonly Func<string, int> _replicasOf;

    /// <summary>Where each (actor type, partition) is hosted, as of a routing view and an N.</summary>
    private readonly ConcurrentDictionary<(int Type, int Partition), HostEntry> _hosts = new();

    /// <param name="self">This node's name.</param>
    /// <param name="actors">The actor types this node defines (every node of a cluster defines the same ones).</param>
    /// <param name="routing">The ring and the up set.</param>
    /// <param name="rpc">The node's request layer.</param>
    /// <param name="localTable">The actor table of a partition's vnode on this node, made on first use.</param>
    /// <param name="replicasOf">The N of an actor type's bucket (its state's replicas: the length of its preference list).</param>
    public ActorRouter(string self, ActorRegistry actors, RingManager routing, PeerRpc rpc, Func<int, ActorTable> localTable, Func<string, int> replicasOf)
    {
        _self = self;
        _actors = actors;
        _routing = routing;
        _rpc = rpc;
        _localTable = localTable;
        _replicasOf = replicasOf;
        rpc.Register(PeerFrame.BodyOneofCase.Actor, this);
    }

    /// <summary>Delivers <paramref name="envelope"/> to its actor's host and records a local activation that took it in <paramref name="address"/>.</summary>
    /// <exception cref="ActorUnavailableException">No node that may host the actor is reachable.</exception>
    public void Deliver(ActorAddress address, in Envelope envelope)
    {
        var view = _routing.Current;
        int partition = view.Ring.PartitionOf(address.Position);
        var host = HostOf(address.Type, partition, view) ?? throw Unavailable(address, partition, view);
        if (host == _self)
        {
            address.Activation = _localTable(partition).Deliver(address.Type, address.Key, address.Position, envelope);
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
        var ask = envelope.Reply is { } sink ? new RemoteAsk(sink, envelope.ReplyToken, type.ReplyTypes[messageType], type, _rpc, host) : null;
        _rpc.Send(host, new PeerFrame { Actor = new ActorMessage { Request = request } }, ask, atMostOnce: true);
    }

    /// <summary>The node that hosts actors of <paramref name="type"/> on <paramref name="partition"/> by the current view; null when none is reachable.</summary>
    public string? HostOf(ActorType type, int partition) => HostOf(type, partition, _routing.Current);

    /// <summary>The exception for an actor whose possible hosts are all unreachable.</summary>
    public ActorUnavailableException Unavailable(ActorAddress address, int partition) => Unavailable(address, partition, _routing.Current);

    /// <summary>Serves a peer's actor message: validates it, then delivers it to the local activation (never routed again).</summary>
    public void OnRequest(PeerRequest request, PeerFrame frame)
    {
        var message = frame.Actor;
        if (message.BodyCase != ActorMessage.BodyOneofCase.Request)
        {
            _rpc.Malformed(request.From, $"an actor message with no request ({message.BodyCase})");
            return;
        }

        Serve(request, message.Request);
    }

    private void Serve(PeerRequest from, ActorRequest request)
    {
        var type = _actors.Find(request.ActorType);
        var messageType = type?.MessageTypeNamed(request.MessageType);
        int keyLimit = type is null ? 0 : StorageLimits.MaxKeyBytes - type.NameBytes.Length - 1;
        string? problem = type is null ? $"no actor type '{request.ActorType}' is defined on {_self}"
            : messageType is null ? $"actor type '{type.Name}' has no handler for '{request.MessageType}'"
            : request.Key.Length == 0 || request.Key.Length > keyLimit ? $"an actor key must be 1 to {keyLimit} bytes (got {request.Key.Length})"
            : null;
        if (problem is not null)
        {
            _rpc.Malformed(from.From, problem);
            Answer(from, new ActorReply { Error = problem });
            return;
        }

        object message;
        try
        {
            message = type!.MessageSerializer.Deserialize(request.Payload.Span, messageType!);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            var reason = $"the {messageType!.Name} could not be read: {error.Message}";
            _rpc.Malformed(from.From, reason);
            Answer(from, new ActorReply { Error = reason });
            return;
        }

        var key = request.Key.ToByteArray();
        ulong position = KeyPosition.Of(type.Seed, key);
        var ring = _routing.Current.Ring;
        int partition = ring.PartitionOf(position);
        if (request.Strict && ring.OwnerMemberOf(partition).Name != _self)
        {
            Answer(from, new ActorReply
            {
                Error = $"{type.Name} actors are placed Strict and {_self} is not the primary owner of partition {partition} ({ring.OwnerMemberOf(partition).Name} is)",
            });
            return;
        }

        var sink = from.ExpectsReply ? new RemoteReplySink(this, from, type.ReplyTypes[messageType!], type.MessageSerializer) : null;
        try
        {
            _localTable(partition).Deliver(type, key, position, new Envelope(message, sink, 0, EnvelopeKind.User));
        }
        catch (ObjectDisposedException error)
        {
            Answer(from, new ActorReply { Error = error.Message });
        }
    }

    /// <summary>Sends an Ask's outcome back to its node; a Tell gets none.</summary>
    private void Answer(PeerRequest request, ActorReply reply) =>
        _rpc.Reply(request, new PeerFrame { Actor = new ActorMessage { Reply = reply } });

    private string? HostOf(ActorType type, int partition, RoutingView view)
    {
        // Cached per actor type and partition until the view changes (a ring swap or an up/down
        // change) or the type's N does, so routing a message does not walk the preference list.
        int n = _replicasOf(type.Name);
        var slot = (type.Index, partition);
        if (_hosts.TryGetValue(slot, out var cached) && ReferenceEquals(cached.View, view) && cached.N == n)
        {
            return cached.Host;
        }

        var host = FindHost(type, partition, n, view);
        _hosts[slot] = new HostEntry(view, n, host);
        return host;
    }

    private static string? FindHost(ActorType type, int partition, int n, RoutingView view)
    {
        if (type.Placement == ActorPlacement.Strict)
        {
            var primary = view.PrimaryOf(partition, 0);
            return view.IsUp(primary) ? primary : null;
        }

        var list = view.PreferenceList(partition, n);
        return list.Length > 0 ? view.NameOf(list[0].Member) : null;
    }

    private ActorUnavailableException Unavailable(ActorAddress address, int partition, RoutingView view)
    {
        var owner = view.Ring.OwnerMemberOf(partition).Name;
        return address.Type.Placement == ActorPlacement.Strict
            ? new ActorUnavailableException(
                $"{address.Type.Name} actors are placed Strict, and the primary owner of partition {partition}, {owner}, is unreachable from {_self}.")
            : new ActorUnavailableException($"No node of partition {partition}'s preference list is reachable from {_self}.");
    }

    private sealed record HostEntry(RoutingView View, int N, string? Host);

    /// <summary>An Ask sent to another node: its reply completes the asker's sink.</summary>
    private sealed class RemoteAsk(IReplySink sink, int token, Type? replyType, ActorType type, PeerRpc rpc, string host) : IPeerReplyHandler
    {
        public void OnReply(int index, PeerFrame frame)
        {
            var from = frame.Actor;
            if (frame.BodyCase != PeerFrame.BodyOneofCase.Actor || from.BodyCase != ActorMessage.BodyOneofCase.Reply)
            {
                sink.Fail(token, new InvalidDataException("The actor's node answered with something other than an actor reply."));
                return;
            }

            var reply = from.Reply;
            if (reply.Error.Length > 0)
            {
                sink.Fail(token, new RemoteActorException(host, reply.ErrorType, reply.Error));
                return;
            }

            if (!reply.HasValue || replyType is null)
            {
                sink.Complete(token, null);
                return;
            }

            object value;
            try
            {
                value = type.MessageSerializer.Deserialize(reply.Payload.Span, replyType);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                rpc.Malformed(host, $"a reply that could not be read as {replyType.Name}: {error.Message}");
                sink.Fail(token, new InvalidDataException($"The reply from {host} could not be read as {replyType.Name}: {error.Message}", error));
                return;
            }

            sink.Complete(token, value);
        }
    }

    /// <summary>Where the handler's outcome goes when the Ask came from another node: back through PeerRpc.</summary>
    private sealed class RemoteReplySink(ActorRouter router, PeerRequest request, Type? replyType, IMessageSerializer serializer) : IReplySink
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

            router.Answer(request, answer);
        }

        public void Fail(int token, Exception exception) =>
            router.Answer(request, new ActorReply { Error = exception.Message, ErrorType = exception.GetType().FullName ?? "" });
    }
}
