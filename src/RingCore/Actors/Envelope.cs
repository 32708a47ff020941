namespace RingCore.Actors;

/// <summary>What a mailbox slot holds: a struct, so a Tell allocates nothing beyond its message.</summary>
internal readonly record struct Envelope(object Message, IReplySink? Reply, EnvelopeKind Kind);

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
