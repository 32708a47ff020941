using System.Buffers.Binary;
using System.IO.Hashing;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// How a <see cref="StoredObject"/> is laid out in one FASTER value:
/// <c>[format 1 byte][checksum 8 bytes][metadata length 4 bytes LE][metadata][value]</c>.
/// The format byte makes a future layout change detectable instead of misread; the checksum
/// (XxHash64 of everything after it) turns a damaged object log into a clear
/// <see cref="StorageCorruptedException"/> rather than wrong bytes handed to an actor.
/// </summary>
internal static class FasterRecordFormat
{
    public const byte Version1 = 1;

    public const int HeaderBytes = 1 + sizeof(ulong) + sizeof(int);

    private const int ChecksumOffset = 1;

    private const int MetadataLengthOffset = ChecksumOffset + sizeof(ulong);

    public static byte[] Encode(StoredObject value)
    {
        var metadata = value.Metadata.Span;
        var payload = value.Value.Span;
        var record = GC.AllocateUninitializedArray<byte>(HeaderBytes + metadata.Length + payload.Length);
        record[0] = Version1;
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(MetadataLengthOffset), metadata.Length);
        metadata.CopyTo(record.AsSpan(HeaderBytes));
        payload.CopyTo(record.AsSpan(HeaderBytes + metadata.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(ChecksumOffset), XxHash64.HashToUInt64(record.AsSpan(MetadataLengthOffset)));
        return record;
    }

    /// <summary>Decodes without copying: the record array is never changed once stored, so the object may view it.</summary>
    public static StoredObject Decode(byte[] record, string location)
    {
        string? problem = Problem(record);
        if (problem is not null)
        {
            throw Corrupt(location, problem);
        }

        int metadataLength = BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(MetadataLengthOffset));
        return new StoredObject(
            record.AsMemory(HeaderBytes + metadataLength),
            record.AsMemory(HeaderBytes, metadataLength));
    }

    /// <summary>What is wrong with <paramref name="record"/>'s header or checksum, or null when it is sound.</summary>
    public static string? Problem(ReadOnlySpan<byte> record)
    {
        if (record.Length < HeaderBytes)
        {
            return $"a record of {record.Length} bytes is shorter than its {HeaderBytes}-byte header";
        }

        if (record[0] != Version1)
        {
            return $"a record has format version {record[0]}, and this build reads only version {Version1}";
        }

        ulong expected = BinaryPrimitives.ReadUInt64LittleEndian(record[ChecksumOffset..]);
        if (XxHash64.HashToUInt64(record[MetadataLengthOffset..]) != expected)
        {
            return "a record's checksum does not match its bytes";
        }

        int metadataLength = BinaryPrimitives.ReadInt32LittleEndian(record[MetadataLengthOffset..]);
        if (metadataLength < 0 || metadataLength > record.Length - HeaderBytes)
        {
            return $"a record's metadata length {metadataLength} does not fit its {record.Length} bytes";
        }

        return null;
    }

    private static StorageCorruptedException Corrupt(string location, string problem) =>
        new($"The FASTER store in '{location}' is corrupt: {problem}.", location);
}
