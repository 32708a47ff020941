using RingCore.Actors;
using RingCore.Node;

namespace RingCore.Benchmarks.Actors;

/// <summary>References to many actors of one type, made before the measured code runs.</summary>
internal static class ActorKeys
{
    /// <summary>
    /// Returns references to <paramref name="count"/> actors of <paramref name="typeName"/>, with
    /// keys "key-0000000", "key-0000001", ...: the same length, so no actor's routing is cheaper.
    /// </summary>
    public static ActorRef[] Create(RingNode node, string typeName, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var actors = new ActorRef[count];
        Span<byte> key = stackalloc byte[16];
        "key-"u8.CopyTo(key);
        for (int i = 0; i < count; i++)
        {
            i.TryFormat(key[4..], out int written, "D7");
            actors[i] = node.GetActor(typeName, key[..(4 + written)]);
        }

        return actors;
    }
}
