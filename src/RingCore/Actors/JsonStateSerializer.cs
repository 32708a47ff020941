using System.Text.Json;

namespace RingCore.Actors;

/// <summary>
/// The default serializer for plain records and classes: System.Text.Json with its defaults.
/// Readable on disk and tolerant of added properties; use a protobuf serializer for compact,
/// schema-evolving state.
/// </summary>
public sealed class JsonStateSerializer<TState> : IStateSerializer<TState>
{
    private readonly JsonSerializerOptions? _options;

    /// <summary>Creates a serializer with the given options (null for System.Text.Json's defaults).</summary>
    public JsonStateSerializer(JsonSerializerOptions? options = null) => _options = options;

    /// <inheritdoc />
    public byte[] Serialize(TState state) => JsonSerializer.SerializeToUtf8Bytes(state, _options);

    /// <inheritdoc />
    public TState Deserialize(ReadOnlySpan<byte> bytes) =>
        JsonSerializer.Deserialize<TState>(bytes, _options)
        ?? throw new InvalidDataException($"Stored state of type {typeof(TState).Name} deserialized to null.");
}
