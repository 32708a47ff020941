using RingCore.Actors;

namespace RingCore.Node;

/// <summary>Actor messages as bytes, for callers that are not .NET code of this process (a node's client service, any gRPC client).</summary>
public sealed partial class RingNode
{
    /// <summary>
    /// Sends an actor a message given as bytes and waits for its reply as bytes: the message is
    /// read, and the reply written, by the actor type's <see cref="IMessageSerializer"/> (JSON by
    /// default), exactly as they cross between nodes.
    /// </summary>
    /// <param name="actorType">The actor type's registered name.</param>
    /// <param name="key">The actor's key.</param>
    /// <param name="messageType">The message's type as the actor type knows it: the .NET type's full name.</param>
    /// <param name="payload">The message's bytes.</param>
    /// <param name="timeout">How long to wait; null for <see cref="DefaultAskTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply's bytes and the reply's type name; empty bytes and an empty name for a handler without a reply.</returns>
    /// <exception cref="ArgumentException">An unknown actor type or message type, a bad key, or a payload the serializer cannot read (the message says which).</exception>
    /// <exception cref="TimeoutException">No reply within the timeout.</exception>
    /// <exception cref="ActorUnavailableException">No node that may host the actor is reachable.</exception>
    /// <exception cref="RemoteActorException">The handler threw on the node hosting the actor.</exception>
    public async Task<SerializedReply> AskSerializedAsync(string actorType, ReadOnlyMemory<byte> key, string messageType, ReadOnlyMemory<byte> payload,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var (actor, message, replyType, serializer) = ReadSerialized(actorType, key, messageType, payload);
        object? reply = await actor.Ask<object?>(message, timeout, cancellationToken).ConfigureAwait(false);
        if (replyType is null || reply is null)
        {
            return new SerializedReply([], replyType is null ? string.Empty : ActorType.WireName(replyType));
        }

        return new SerializedReply(serializer.Serialize(reply, replyType), ActorType.WireName(replyType));
    }

    /// <summary>Sends an actor a message given as bytes, without waiting (see <see cref="AskSerializedAsync"/>).</summary>
    /// <exception cref="ArgumentException">An unknown actor type or message type, a bad key, or a payload the serializer cannot read.</exception>
    public void TellSerialized(string actorType, ReadOnlyMemory<byte> key, string messageType, ReadOnlyMemory<byte> payload)
    {
        var (actor, message, _, _) = ReadSerialized(actorType, key, messageType, payload);
        actor.Tell(message);
    }

    private (ActorRef Actor, object Message, Type? ReplyType, IMessageSerializer Serializer) ReadSerialized(
        string actorType, ReadOnlyMemory<byte> key, string messageType, ReadOnlyMemory<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(actorType);
        ArgumentNullException.ThrowIfNull(messageType);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var type = _actors.Find(actorType) ?? throw new ArgumentException($"No actor type '{actorType}' is defined on {Name}.", nameof(actorType));
        var handled = type.MessageTypeNamed(messageType)
            ?? throw new ArgumentException($"Actor type '{actorType}' has no handler for '{messageType}'.", nameof(messageType));
        object message;
        try
        {
            message = type.MessageSerializer.Deserialize(payload.Span, handled)
                ?? throw new ArgumentException($"The {handled.Name} for '{actorType}' read as null.", nameof(payload));
        }
        catch (Exception error) when (error is not (ArgumentException or OutOfMemoryException))
        {
            throw new ArgumentException($"The {handled.Name} for '{actorType}' could not be read: {error.Message}", nameof(payload), error);
        }

        return (GetActor(actorType, key.Span), message, type.ReplyTypes[handled], type.MessageSerializer);
    }
}
