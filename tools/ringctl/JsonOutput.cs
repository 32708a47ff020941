using System.Text.Json;
using Google.Protobuf;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// <c>--json</c> output: a node's reply in the proto3 JSON mapping of its message
/// (lowerCamelCase fields, every field present, 64-bit integers as strings, bytes as base64),
/// and ringctl's own results with the same conventions, one JSON document per command on stdout.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The proto3 JSON of <paramref name="message"/>.</summary>
    public static JsonElement Of(IMessage message) => JsonDocument.Parse(Formatter.Format(message)).RootElement.Clone();

    public static void Write(TextWriter output, IMessage message) => Write(output, Of(message));

    public static void Write(TextWriter output, object value) => output.WriteLine(JsonSerializer.Serialize(value, Options));
}
