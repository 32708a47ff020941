namespace RingCore.Actors;

/// <summary>An actor's reply as bytes (what <c>RingNode.AskSerializedAsync</c> returns).</summary>
/// <param name="Payload">The reply, as the actor type's <see cref="IMessageSerializer"/> wrote it; empty when the handler has no reply.</param>
/// <param name="ReplyType">The reply's type name (its full .NET name); empty when the handler has no reply.</param>
public sealed record SerializedReply(byte[] Payload, string ReplyType);
