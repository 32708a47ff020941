using System.Text.Json;
using Google.Protobuf;
using RingCore.Grpc.Client;

namespace RingCore.Client;

/// <summary>Per-key actors: ask (a message and its reply), tell (a message, no reply), streamed tells.</summary>
public sealed partial class RingClient
{
    /// <summary>Sends a message to the actor (<paramref name="actorType"/>, <paramref name="key"/>) and waits for its reply.</summary>
    /// <param name="actorType">The actor type as the node registered it.</param>
    /// <param name="key">The actor's key (not empty).</param>
    /// <param name="messageType">The message's type as the actor type knows it (the .NET type's full name).</param>
    /// <param name="payload">The message as the actor type's serializer reads it (JSON by default).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="RingActorException">The handler threw; the actor discarded the change.</exception>
    /// <exception cref="RingClientException">The call failed otherwise; the subclass says how.</exception>
    public async Task<RingAskReply> AskAsync(string actorType, ReadOnlyMemory<byte> key, string messageType, ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken = default)
    {
        var request = new AskRequest
        {
            ActorType = CheckName(actorType, nameof(actorType)),
            Key = CheckKey(key),
            MessageType = CheckName(messageType, nameof(messageType)),
            Payload = ByteString.CopyFrom(payload.Span),
            TimeoutMs = (uint)Math.Min(_options.Timeout.TotalMilliseconds, uint.MaxValue),
        };
        var reply = await CallAsync((node, options) => node.Actors.AskAsync(request, options), cancellationToken).ConfigureAwait(false);
        return new RingAskReply(reply.Payload.Memory, reply.ReplyType);
    }

    /// <summary>
    /// Sends <paramref name="message"/> as JSON (System.Text.Json, the node's default message
    /// serializer) to the actor (<paramref name="actorType"/>, <paramref name="key"/>) and reads
    /// its JSON reply as <typeparamref name="TReply"/>.
    /// </summary>
    /// <param name="actorType">The actor type as the node registered it.</param>
    /// <param name="key">The actor's key, as text (its UTF-8 bytes).</param>
    /// <param name="message">The message.</param>
    /// <param name="messageType">The message type's name on the node; the full name of <typeparamref name="TMessage"/> when null.</param>
    /// <param name="json">The serializer options, matching the node's; System.Text.Json's defaults when null.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="JsonException">The reply is not JSON of <typeparamref name="TReply"/>.</exception>
    /// <exception cref="RingClientException">The call failed; the subclass says how.</exception>
    public async Task<TReply> AskAsync<TMessage, TReply>(string actorType, string key, TMessage message, string? messageType = null,
        JsonSerializerOptions? json = null, CancellationToken cancellationToken = default)
    {
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(message, json);
        var reply = await AskAsync(actorType, Utf8(key), messageType ?? TypeName<TMessage>(), payload, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<TReply>(reply.Payload.Span, json)!;
    }

    /// <summary>Sends a message to the actor and returns once the node accepted it (at most once, no reply).</summary>
    /// <param name="actorType">The actor type as the node registered it.</param>
    /// <param name="key">The actor's key (not empty).</param>
    /// <param name="messageType">The message's type as the actor type knows it.</param>
    /// <param name="payload">The message as the actor type's serializer reads it.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="RingClientException">The node did not accept it; the subclass says how.</exception>
    public async Task TellAsync(string actorType, ReadOnlyMemory<byte> key, string messageType, ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken = default)
    {
        var request = Tell(actorType, key, messageType, payload);
        await CallAsync((node, options) => node.Actors.TellAsync(request, options), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="message"/> as JSON to the actor, without a reply.</summary>
    /// <param name="actorType">The actor type as the node registered it.</param>
    /// <param name="key">The actor's key, as text (its UTF-8 bytes).</param>
    /// <param name="message">The message.</param>
    /// <param name="messageType">The message type's name on the node; the full name of <typeparamref name="TMessage"/> when null.</param>
    /// <param name="json">The serializer options; System.Text.Json's defaults when null.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="RingClientException">The node did not accept it; the subclass says how.</exception>
    public Task TellAsync<TMessage>(string actorType, string key, TMessage message, string? messageType = null, JsonSerializerOptions? json = null,
        CancellationToken cancellationToken = default) =>
        TellAsync(actorType, Utf8(key), messageType ?? TypeName<TMessage>(), JsonSerializer.SerializeToUtf8Bytes(message, json), cancellationToken);

    /// <summary>
    /// Opens one stream of tells to the preferred node (the TellStream call): many messages, in
    /// order, at the cost of one call. A stream is not retried at another node once opened,
    /// since some of its tells may have been accepted; <see cref="RingTellStream.CompleteAsync"/>
    /// says how many were. No deadline applies: <paramref name="cancellationToken"/> ends it.
    /// </summary>
    public RingTellStream OpenTellStream(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var node = _nodes[Volatile.Read(ref _preferred)];
        var call = node.Actors.TellStream(new global::Grpc.Core.CallOptions(_headers, cancellationToken: cancellationToken));
        return new RingTellStream(call, node.Name);
    }

    /// <summary>The message of a tell, its arguments checked.</summary>
    internal static TellRequest Tell(string actorType, ReadOnlyMemory<byte> key, string messageType, ReadOnlyMemory<byte> payload) => new()
    {
        ActorType = CheckName(actorType, nameof(actorType)),
        Key = CheckKey(key),
        MessageType = CheckName(messageType, nameof(messageType)),
        Payload = ByteString.CopyFrom(payload.Span),
    };

    private static string TypeName<T>() => typeof(T).FullName ?? typeof(T).Name;

    private static string CheckName(string name, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameter);
        return name;
    }
}
