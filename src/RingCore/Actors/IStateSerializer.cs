namespace RingCore.Actors;

/// <summary>Turns an actor type's state into bytes for its vnode's store, and back.</summary>
/// <typeparam name="TState">The state type.</typeparam>
public interface IStateSerializer<TState>
{
    /// <summary>The bytes of <paramref name="state"/>.</summary>
    byte[] Serialize(TState state);

    /// <summary>The state <paramref name="bytes"/> hold.</summary>
    TState Deserialize(ReadOnlySpan<byte> bytes);
}
