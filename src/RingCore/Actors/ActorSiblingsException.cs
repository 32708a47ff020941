namespace RingCore.Actors;

/// <summary>
/// An actor's stored state has concurrent versions (siblings, written on two sides of a
/// partition) and its type defines no Merge to resolve them. The runtime never picks one
/// silently: define <see cref="ActorTypeBuilder{TState}.Merge"/>, or use <see cref="ActorPlacement.Strict"/>.
/// </summary>
public sealed class ActorSiblingsException : Exception
{
    /// <summary>Creates the exception for <paramref name="siblings"/> versions of the actor.</summary>
    public ActorSiblingsException(string actor, int siblings)
        : base($"The state of {actor} has {siblings} concurrent versions and its actor type defines no Merge to resolve them; "
            + "add ActorTypeBuilder.Merge, or use ActorPlacement.Strict so that only one activation writes.")
    {
        Actor = actor;
        Siblings = siblings;
    }

    /// <summary>The actor, as type/key.</summary>
    public string Actor { get; }

    /// <summary>How many concurrent versions its state has.</summary>
    public int Siblings { get; }
}
