using System.Buffers.Binary;

namespace RingCore.Causality;

/// <summary>
/// How one (replica id, counter) entry of a clock is written in both encodings that carry clocks
/// (<see cref="CausalContext"/> and <see cref="SiblingSetCodec"/>): the id as 8 bytes little
/// endian, then the counter as a varint. <see cref="ClockReader"/> reads it back.
/// </summary>
internal static class ClockEntry
{
    /// <summary>Bytes an entry with <paramref name="counter"/> takes.</summary>
    public static int SizeOf(ulong counter) => sizeof(ulong) + Varint.SizeOf(counter);

    /// <summary>Writes the entry at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ReplicaId id, ulong counter)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, id.Value);
        return sizeof(ulong) + Varint.Write(destination[sizeof(ulong)..], counter);
    }
}
