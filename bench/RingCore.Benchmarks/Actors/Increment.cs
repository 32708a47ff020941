namespace RingCore.Benchmarks.Actors;

/// <summary>
/// The Tell of the actor benchmarks. It carries nothing: one instance is allocated per benchmark
/// and sent over and over, so the allocated column shows the runtime's cost per message and not
/// the message's.
/// </summary>
internal sealed class Increment
{
}
