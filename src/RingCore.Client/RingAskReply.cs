namespace RingCore.Client;

/// <summary>An actor's reply to an ask: its bytes as the actor type's message serializer wrote them, and its type's name.</summary>
public sealed class RingAskReply
{
    /// <summary>Creates a reply.</summary>
    public RingAskReply(ReadOnlyMemory<byte> payload, string replyType)
    {
        ArgumentNullException.ThrowIfNull(replyType);
        Payload = payload;
        ReplyType = replyType;
    }

    /// <summary>The reply (JSON with the default serializer).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The reply's type, the .NET type's full name on the node.</summary>
    public string ReplyType { get; }
}
