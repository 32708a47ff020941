using System.Text.Json;

namespace RingCore.Actors;

/// <summary>
/// The default serializer for plain records and classes: System.Text.Json, with public fields
/// included. Readable on disk and tolerant of added properties; use a protobuf serializer for
/// compact, schema-evolving state.
/// </summary>
/// <remarks>
/// It stores what a state type shows System.Text.Json: public properties that can be set back
/// (a setter, an init accessor, or a constructor parameter of the same name) and public fields.
/// A type that keeps data elsewhere (a private field, a get-only property with no constructor
/// parameter, a captured primary-constructor parameter) would lose it at the next activation, so
/// registering it with this serializer fails at once, naming the member (see
/// <see cref="ActorTypeBuilder{TState}.WithSerializer"/> for a serializer of your own).
/// </remarks>
public sealed class JsonStateSerializer<TState> : IStateSerializer<TState>
{
    private readonly JsonSerializerOptions _options;

    /// <summary>Creates a serializer with the given options; null for RingCore's defaults (System.Text.Json's, plus public fields).</summary>
    public JsonStateSerializer(JsonSerializerOptions? options = null) => _options = options ?? JsonStateShape.DefaultOptions;

    /// <summary>The options it serializes with.</summary>
    internal JsonSerializerOptions Options => _options;

    /// <inheritdoc />
    public byte[] Serialize(TState state) => JsonSerializer.SerializeToUtf8Bytes(state, _options);

    /// <inheritdoc />
    public TState Deserialize(ReadOnlySpan<byte> bytes) =>
        JsonSerializer.Deserialize<TState>(bytes, _options)
        ?? throw new InvalidDataException($"Stored state of type {typeof(TState).Name} deserialized to null.");
}
