namespace RingCore.Benchmarks.Peers;

/// <summary>
/// The peers' actor names and grain keys: "key-0000000", "key-0000001", ..., the same text as
/// the RingCore keys of <see cref="Actors.ActorKeys"/>, so every framework names an actor alike.
/// </summary>
internal static class PeerKeys
{
    /// <summary>The name of actor <paramref name="index"/>.</summary>
    public static string Name(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return $"key-{index:D7}";
    }
}
