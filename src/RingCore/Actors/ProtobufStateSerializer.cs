using Google.Protobuf;

namespace RingCore.Actors;

/// <summary>
/// Stores protobuf message state in its compact wire format; fields added later read back as
/// their defaults, so state schemas can evolve the protobuf way.
/// </summary>
/// <typeparam name="TState">A generated protobuf message type.</typeparam>
public sealed class ProtobufStateSerializer<TState> : IStateSerializer<TState>
    where TState : IMessage<TState>, new()
{
    private static readonly MessageParser<TState> Parser = new(static () => new TState());

    /// <inheritdoc />
    public byte[] Serialize(TState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.ToByteArray();
    }

    /// <inheritdoc />
    public TState Deserialize(ReadOnlySpan<byte> bytes) => Parser.ParseFrom(bytes);
}
