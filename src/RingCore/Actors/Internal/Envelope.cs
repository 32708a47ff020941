namespace RingCore.Actors;

/// <summary>What a mailbox slot holds: a struct, so a Tell allocates nothing beyond its message.</summary>
/// <param name="Message">The message; never null (a published slot is one whose message is set).</param>
/// <param name="Reply">Where an Ask's outcome goes; null for a Tell.</param>
/// <param name="ReplyToken">Which Ask of a pooled <paramref name="Reply"/> this is, so a late reply cannot complete a later Ask.</param>
/// <param name="Kind">Why the message is in the mailbox.</param>
internal readonly record struct Envelope(object Message, IReplySink? Reply, int ReplyToken, EnvelopeKind Kind)
{
    public static Envelope Tell(object message) => new(message, null, 0, EnvelopeKind.User);

    public void Complete(object? reply) => Reply?.Complete(ReplyToken, reply);

    public void Fail(Exception exception) => Reply?.Fail(ReplyToken, exception);
}

/// <summary>Why a message is in the mailbox.</summary>
internal enum EnvelopeKind : byte
{
    /// <summary>A Tell or Ask from a client or another actor; counts as activity.</summary>
    User,

    /// <summary>A timer tick; handled like a user message but does not keep the actor from passivating.</summary>
    Timer,

    /// <summary>Store the state now (WriteBehind); no handler runs.</summary>
    Flush,
}
