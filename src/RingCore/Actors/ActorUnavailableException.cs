namespace RingCore.Actors;

/// <summary>
/// A message could not reach a node that may host its actor: for <see cref="ActorPlacement.Strict"/>,
/// the partition's primary owner is unreachable; for <see cref="ActorPlacement.Available"/>, no
/// replica of the key's preference list is.
/// </summary>
public sealed class ActorUnavailableException : Exception
{
    /// <summary>Creates the exception with its explanation.</summary>
    public ActorUnavailableException(string message)
        : base(message)
    {
    }
}
