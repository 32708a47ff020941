using System.Text.Json;

namespace RingCore.Actors;

/// <summary>The default message serializer: System.Text.Json, by the handler's declared message and reply types.</summary>
public sealed class JsonMessageSerializer : IMessageSerializer
{
    private readonly JsonSerializerOptions? _options;

    /// <summary>Creates a serializer with the given options (null for System.Text.Json's defaults).</summary>
    public JsonMessageSerializer(JsonSerializerOptions? options = null) => _options = options;

    /// <summary>The shared instance with System.Text.Json's defaults.</summary>
    public static JsonMessageSerializer Default { get; } = new();

    /// <inheritdoc />
    public byte[] Serialize(object value, Type type) => JsonSerializer.SerializeToUtf8Bytes(value, type, _options);

    /// <inheritdoc />
    public object Deserialize(ReadOnlySpan<byte> bytes, Type type) =>
        JsonSerializer.Deserialize(bytes, type, _options)
        ?? throw new InvalidDataException($"A message of type {type.Name} deserialized to null.");
}
