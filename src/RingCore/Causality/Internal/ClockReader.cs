using System.Buffers.Binary;

namespace RingCore.Causality;

/// <summary>
/// Reads the pieces clocks are encoded from (bytes, 64-bit ids, varints), checking each
/// against what remains, for <see cref="CausalContext"/> and <see cref="SiblingSetCodec"/>.
/// Nothing here throws on bad input: a failed read returns false and leaves
/// <see cref="Error"/> naming what was wrong and where, and the caller turns it into its own
/// exception type. Input from a client or a disk is untrusted, so every length is checked
/// before it is used to allocate or to slice.
/// </summary>
internal ref struct ClockReader
{
    private readonly ReadOnlySpan<byte> _source;

    public ClockReader(ReadOnlySpan<byte> source)
    {
        _source = source;
    }

    /// <summary>The offset of the next byte to read.</summary>
    public int Position { get; private set; }

    /// <summary>What the first failed read found wrong, with its byte offset; null while all reads succeeded.</summary>
    public string? Error { get; private set; }

    public readonly int Remaining => _source.Length - Position;

    public bool TryReadByte(FieldName what, out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return Fail($"it ends before the {what}");
        }

        value = _source[Position++];
        return true;
    }

    public bool TryReadUInt64(FieldName what, out ulong value)
    {
        if (Remaining < sizeof(ulong))
        {
            value = 0;
            return Fail($"it ends inside the {what} ({Remaining} of {sizeof(ulong)} bytes left)");
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(_source.Slice(Position));
        Position += sizeof(ulong);
        return true;
    }

    /// <summary>Reads a varint no greater than <paramref name="max"/>, in its shortest encoding.</summary>
    public bool TryReadVarint(FieldName what, ulong max, out ulong value)
    {
        value = 0;
        int start = Position;
        for (int shift = 0; ; shift += 7)
        {
            if (Remaining < 1)
            {
                Position = start;
                return Fail($"it ends inside the {what}");
            }

            byte next = _source[Position++];

            // The tenth byte holds bit 63 only; anything more does not fit 64 bits.
            if (shift == 63 && next > 1)
            {
                Position = start;
                return Fail($"the {what} overflows 64 bits");
            }

            value |= (ulong)(next & 0x7F) << shift;
            if ((next & 0x80) == 0)
            {
                // A last byte of 0 after others adds nothing: a longer encoding of a smaller
                // number, which the writer never produces.
                if (next == 0 && shift > 0)
                {
                    Position = start;
                    return Fail($"the {what} is not in its shortest encoding");
                }

                break;
            }
        }

        if (value > max)
        {
            Position = start;
            return Fail($"the {what} is {value}, more than the limit of {max}");
        }

        return true;
    }

    /// <summary>Reads a count, refusing one that could not fit in the bytes left at <paramref name="minBytesEach"/> each.</summary>
    public bool TryReadCount(FieldName what, int max, int minBytesEach, out int count)
    {
        count = 0;
        int start = Position;
        if (!TryReadVarint(what, (ulong)max, out ulong value))
        {
            return false;
        }

        if (value * (ulong)minBytesEach > (ulong)Remaining)
        {
            Position = start;
            return Fail($"the {what} is {value}, but only {Remaining} bytes follow, too few for that many");
        }

        count = (int)value;
        return true;
    }

    /// <summary>Reads one version vector entry: an id above <paramref name="previous"/> (ids strictly ascend) and a counter of at least 1.</summary>
    public bool TryReadEntry(int index, ReplicaId? previous, out ReplicaId id, out ulong counter)
    {
        counter = 0;
        int start = Position;
        if (!TryReadUInt64(new FieldName("id of entry", index), out ulong raw))
        {
            id = default;
            return false;
        }

        id = new ReplicaId(raw);
        if (previous is { } before && before.Value >= raw)
        {
            Position = start;
            return Fail($"entry {index} has id {id}, not above the id before it ({before}); ids must be sorted and distinct");
        }

        if (!TryReadVarint(new FieldName("counter of entry", index), ulong.MaxValue, out counter))
        {
            return false;
        }

        if (counter == 0)
        {
            Position -= 1;
            return Fail($"entry {index} has counter 0; a replica without events has no entry");
        }

        return true;
    }

    /// <summary>Skips <paramref name="length"/> bytes, returning where they start.</summary>
    public bool TrySkip(FieldName what, ulong length, out int start)
    {
        start = Position;
        if (length > (ulong)Remaining)
        {
            return Fail($"the {what} claims {length} bytes, but only {Remaining} follow");
        }

        Position += (int)length;
        return true;
    }

    public bool ExpectEnd()
    {
        return Remaining == 0 || Fail($"{Remaining} unexpected bytes follow the end");
    }

    public bool Fail(string problem)
    {
        Error ??= $"{problem} (at byte {Position})";
        return false;
    }
}
