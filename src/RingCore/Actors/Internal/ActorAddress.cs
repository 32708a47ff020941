namespace RingCore.Actors;

/// <summary>
/// Which actor an <see cref="ActorRef"/> names (type, key, ring position), and the activation
/// its last message went to. While that activation lives, a send goes straight to its mailbox
/// and skips routing; once it passivates its mailbox refuses, and the send is routed afresh.
/// </summary>
internal sealed class ActorAddress(ActorType type, byte[] key, ulong position)
{
    private ActorActivation? _activation;

    public ActorType Type { get; } = type;

    public byte[] Key { get; } = key;

    public ulong Position { get; } = position;

    /// <summary>The activation that took the last routed message, if any (refs copied across threads may race to set it; any live one is the actor's only one).</summary>
    public ActorActivation? Activation
    {
        get => Volatile.Read(ref _activation);
        set => Volatile.Write(ref _activation, value);
    }
}
