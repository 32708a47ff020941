namespace RingCore.Benchmarks.Peers;

/// <summary>
/// The Ask of the durable-state benchmarks: add one to the count, store it, reply with it. One
/// instance is reused, like <see cref="Actors.Increment"/>.
/// </summary>
internal sealed class IncrementAndGet
{
}
