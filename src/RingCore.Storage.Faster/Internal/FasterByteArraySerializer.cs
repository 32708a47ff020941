using FASTER.core;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// Writes keys and values to FASTER's object log as a 4-byte length and the bytes. The length is
/// checked on the way back so a damaged object log fails with a clear error instead of asking for
/// a multi-gigabyte array.
/// </summary>
internal sealed class FasterByteArraySerializer : BinaryObjectSerializer<byte[]>
{
    // The largest array written: a full object plus its record header, or a key.
    private const int MaxLength = StorageLimits.MaxObjectBytes + FasterRecordFormat.HeaderBytes;

    public override void Serialize(ref byte[] obj)
    {
        writer.Write(obj.Length);
        writer.Write(obj);
    }

    public override void Deserialize(out byte[] obj)
    {
        int length = reader.ReadInt32();
        if (length < 0 || length > MaxLength)
        {
            throw new InvalidDataException($"FASTER object log entry claims {length} bytes; at most {MaxLength} are ever written.");
        }

        obj = reader.ReadBytes(length);
        if (obj.Length != length)
        {
            throw new EndOfStreamException($"FASTER object log entry ends after {obj.Length} of {length} bytes.");
        }
    }
}
