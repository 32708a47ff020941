using System.Buffers.Binary;
using System.Diagnostics;

namespace RingCore.Replication;

/// <summary>
/// One value inside a stored sibling set: <c>[flags, 1 byte][timestamp, 8 bytes LE][payload]</c>.
/// Flag bit 0 marks a tombstone (riak_object's X-Riak-Deleted metadata); the timestamp, UTC
/// ticks from the coordinating node's TimeProvider, orders values in last-write-wins buckets.
/// </summary>
internal static class ReplicaValue
{
    public const int HeaderBytes = 1 + sizeof(long);

    private const byte TombstoneFlag = 1;

    public static ReadOnlyMemory<byte> Create(ReadOnlySpan<byte> payload, long timestamp, bool tombstone)
    {
        var bytes = new byte[HeaderBytes + payload.Length];
        bytes[0] = tombstone ? TombstoneFlag : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), timestamp);
        payload.CopyTo(bytes.AsSpan(HeaderBytes));
        return bytes;
    }

    /// <summary>True when the value has a complete header; values from peers are checked before use.</summary>
    public static bool IsWellFormed(ReadOnlyMemory<byte> value) => value.Length >= HeaderBytes;

    public static bool IsTombstone(ReadOnlyMemory<byte> value)
    {
        Debug.Assert(IsWellFormed(value), "values are checked when they arrive");
        return (value.Span[0] & TombstoneFlag) != 0;
    }

    public static long Timestamp(ReadOnlyMemory<byte> value)
    {
        Debug.Assert(IsWellFormed(value), "values are checked when they arrive");
        return BinaryPrimitives.ReadInt64LittleEndian(value.Span.Slice(1));
    }

    public static ReadOnlyMemory<byte> Payload(ReadOnlyMemory<byte> value) => value.Slice(HeaderBytes);
}
