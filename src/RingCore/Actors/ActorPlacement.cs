namespace RingCore.Actors;

/// <summary>Where an actor of a type may be activated in a cluster (docs/architecture.md, actor semantics).</summary>
public enum ActorPlacement
{
    /// <summary>
    /// On the first reachable node of its key's preference list (Dynamo's sloppy quorum): the
    /// actor stays available while any replica is reachable. Under a partition each side may
    /// activate it; their writes become siblings, which the type's Merge resolves at the next
    /// activation.
    /// </summary>
    Available,

    /// <summary>
    /// Only on its partition's primary owner: at most one activation, but a message fails with
    /// <see cref="ActorUnavailableException"/> while the owner is unreachable.
    /// </summary>
    Strict,
}
