namespace RingCore.Actors;

/// <summary>When an actor's state reaches its vnode's store (docs/architecture.md, actor semantics).</summary>
public enum ActorDurability
{
    /// <summary>The state is stored before the reply: an acknowledged message survives what the store survives.</summary>
    WriteThrough,

    /// <summary>The state is stored on an interval and on passivation and shutdown: a crash loses at most one interval.</summary>
    WriteBehind,

    /// <summary>Never stored: the actor starts from its initial state after passivation or a restart (a game lobby's queue).</summary>
    Ephemeral,
}
