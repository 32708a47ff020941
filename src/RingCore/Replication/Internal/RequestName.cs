using System.Text;

namespace RingCore.Replication;

/// <summary>
/// What a request is, "Put (b/k)", kept as its parts and formatted only when a message needs it:
/// most requests succeed, and formatting one per request cost a string or two on the hot path.
/// </summary>
internal readonly struct RequestName(string operation, string bucket, ReadOnlyMemory<byte> key)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public override string ToString()
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(key.Span);
        }
        catch (DecoderFallbackException)
        {
            text = $"0x{Convert.ToHexString(key.Span)}";
        }

        return $"{operation} ({bucket}/{text})";
    }
}
