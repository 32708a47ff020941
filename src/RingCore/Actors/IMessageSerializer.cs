namespace RingCore.Actors;

/// <summary>
/// Turns the messages and replies of an actor type into bytes when they cross to another node,
/// and back. Messages to an actor on this node are never serialized.
/// </summary>
public interface IMessageSerializer
{
    /// <summary>The bytes of <paramref name="value"/>, whose declared type is <paramref name="type"/>.</summary>
    byte[] Serialize(object value, Type type);

    /// <summary>The value of type <paramref name="type"/> that <paramref name="bytes"/> hold.</summary>
    object Deserialize(ReadOnlySpan<byte> bytes, Type type);
}
