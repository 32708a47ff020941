using System.Diagnostics;

namespace RingCore.Causality;

/// <summary>
/// Unsigned LEB128 varints, as protobuf writes them: 7 bits a byte, low bits first, the high
/// bit set on every byte but the last. Counters are small almost always, so one or two bytes
/// instead of eight. Only the shortest encoding of a number is accepted (see
/// <see cref="ClockReader.TryReadVarint"/>), so every clock has exactly one encoding.
/// </summary>
internal static class Varint
{
    /// <summary>The most bytes a 64-bit varint takes: ceil(64 / 7).</summary>
    public const int MaxBytes = 10;

    public static int SizeOf(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int Write(Span<byte> destination, ulong value)
    {
        int written = 0;
        ulong rest = value;
        while (rest >= 0x80)
        {
            destination[written++] = (byte)(rest | 0x80);
            rest >>= 7;
        }

        destination[written++] = (byte)rest;
        Debug.Assert(written == SizeOf(value), "the writer and the size agree, so buffers are sized exactly");
        return written;
    }
}
