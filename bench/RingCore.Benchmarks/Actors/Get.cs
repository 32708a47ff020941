namespace RingCore.Benchmarks.Actors;

/// <summary>
/// The Ask of the actor benchmarks: the actor replies with its state. Like <see cref="Increment"/>,
/// one instance is reused, so only the round trip's own allocations show.
/// </summary>
internal sealed class Get
{
}
