using System.Buffers.Binary;

namespace RingCore.Causality;

/// <summary>
/// The binary form of the sibling set a vnode stores under a key: the dotted version vector
/// set and every sibling's bytes, in one array (what riak_kv keeps as the object's
/// <c>contents</c> plus its clock, riak_object:to_binary/2).
/// </summary>
/// <remarks>
/// <para>
/// Version 1: <c>[version 1 byte = 1][entry count, varint]</c>, per entry
/// <c>[replica id, 8 bytes little-endian][counter, varint][live values, varint]</c> (ids strictly
/// ascending, counters at least 1, live values at most the counter), then
/// <c>[anonymous values, varint]</c>, then every value as <c>[length, varint][bytes]</c> in the
/// order of <see cref="SiblingSet{TValue}.Values"/>: the anonymous ones, then each entry's,
/// newest dot first. Nothing may follow.
/// </para>
/// <para>
/// Equal sets encode to equal bytes: anti-entropy compares replicas by the hash of these bytes
/// (issue 14), so two encodings of one set would have two replicas repair each other forever.
/// Dotted values are ordered by their dots, but anonymous values have no dot and a set holds them
/// in no particular order (<see cref="SiblingSet.Sync{TValue}(SiblingSet{TValue}, SiblingSet{TValue}, IEqualityComparer{TValue})"/>
/// unites them left side first), so they are written in byte order, and the decoder refuses them
/// in any other.
/// </para>
/// <para>
/// Every varint is in its shortest form and every count is checked against its limit and
/// against the bytes left before anything is allocated, so damaged or hostile bytes give an
/// <see cref="InvalidDataException"/> that names the problem and its offset, never a crash,
/// a huge allocation, or a set that was not written. There is no checksum: the store's record
/// format carries one (FasterRecordFormat in RingCore.Storage.Faster).
/// </para>
/// </remarks>
internal static class SiblingSetCodec
{
    public const byte FormatVersion = 1;

    /// <summary>Entries of the clock: the same bound as a causal context, so every stored clock can be handed to a client.</summary>
    public const int MaxEntries = CausalContext.MaxEntries;

    /// <summary>
    /// Siblings, anonymous ones included: 1,024. Riak refuses writes past its max_siblings setting
    /// (100 by default); this is the hard bound of the format, above any policy.
    /// </summary>
    public const int MaxSiblings = 1024;

    /// <summary>The encoded size: 16 MiB, the same as <c>StorageLimits.MaxObjectBytes</c>, since the encoding is what a store keeps.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    // An entry is at least an 8-byte id and two one-byte varints; a value at least its length byte.
    private const int MinEntryBytes = sizeof(ulong) + 2;

    /// <summary>Encodes a set for storage.</summary>
    /// <exception cref="ArgumentException">The set breaks a limit: more than <see cref="MaxEntries"/> clock entries,
    /// more than <see cref="MaxSiblings"/> siblings, or more than <see cref="MaxBytes"/> encoded.</exception>
    public static byte[] Encode(SiblingSet<ReadOnlyMemory<byte>> set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var history = set.Join();
        if (history.Count > MaxEntries)
        {
            throw new ArgumentException($"A stored sibling set's clock holds at most {MaxEntries} entries (got {history.Count}).", nameof(set));
        }

        if (set.Count > MaxSiblings)
        {
            throw new ArgumentException($"A stored sibling set holds at most {MaxSiblings} siblings (got {set.Count}).", nameof(set));
        }

        var ids = history.Ids;
        var counters = history.Counters;
        var valueCounts = set.ValueCounts;
        var values = InCanonicalOrder(set.ValueArray, set.AnonymousCount);
        long size = 1 + Varint.SizeOf((ulong)ids.Length) + Varint.SizeOf((ulong)set.AnonymousCount);
        for (int i = 0; i < ids.Length; i++)
        {
            size += ClockEntry.SizeOf(counters[i]) + Varint.SizeOf((ulong)valueCounts[i]);
        }

        foreach (var value in values)
        {
            size += Varint.SizeOf((ulong)value.Length) + value.Length;
        }

        if (size > MaxBytes)
        {
            throw new ArgumentException($"A stored sibling set is at most {MaxBytes} bytes encoded (this one is {size}).", nameof(set));
        }

        var bytes = new byte[size];
        bytes[0] = FormatVersion;
        int offset = 1 + Varint.Write(bytes.AsSpan(1), (ulong)ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            offset += ClockEntry.Write(bytes.AsSpan(offset), ids[i], counters[i]);
            offset += Varint.Write(bytes.AsSpan(offset), (ulong)valueCounts[i]);
        }

        offset += Varint.Write(bytes.AsSpan(offset), (ulong)set.AnonymousCount);
        foreach (var value in values)
        {
            offset += Varint.Write(bytes.AsSpan(offset), (ulong)value.Length);
            value.Span.CopyTo(bytes.AsSpan(offset));
            offset += value.Length;
        }

        return bytes;
    }

    /// <summary>
    /// Decodes a stored set. The values view <paramref name="bytes"/> rather than copy them,
    /// so the caller must not change those bytes afterwards (stores never do).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a set this build wrote; the message says what is wrong and where.</exception>
    public static SiblingSet<ReadOnlyMemory<byte>> Decode(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            throw Malformed($"it is {bytes.Length} bytes long, more than the limit of {MaxBytes}");
        }

        var reader = new ClockReader(bytes.Span);
        if (!reader.TryReadByte("format version", out byte version))
        {
            throw Malformed(reader.Error!);
        }

        if (version != FormatVersion)
        {
            throw Malformed($"it has format version {version}, and this build reads only version {FormatVersion}");
        }

        if (!reader.TryReadCount("entry count", MaxEntries, MinEntryBytes, out int entryCount))
        {
            throw Malformed(reader.Error!);
        }

        var ids = new ReplicaId[entryCount];
        var counters = new ulong[entryCount];
        var valueCounts = new int[entryCount];
        int siblings = 0;
        ReplicaId? previous = null;
        for (int i = 0; i < entryCount; i++)
        {
            if (!reader.TryReadEntry(i, previous, out ids[i], out counters[i]) ||
                !reader.TryReadVarint(new FieldName("live value count of entry", i), Math.Min(counters[i], (ulong)(MaxSiblings - siblings)), out ulong live))
            {
                throw Malformed(reader.Error!);
            }

            previous = ids[i];
            valueCounts[i] = (int)live;
            siblings += (int)live;
        }

        if (!reader.TryReadVarint("anonymous value count", (ulong)(MaxSiblings - siblings), out ulong anonymous))
        {
            throw Malformed(reader.Error!);
        }

        siblings += (int)anonymous;
        if ((ulong)siblings > (ulong)reader.Remaining)
        {
            throw Malformed($"it holds {siblings} values, but only {reader.Remaining} bytes follow, too few for that many");
        }

        var values = new ReadOnlyMemory<byte>[siblings];
        for (int i = 0; i < values.Length; i++)
        {
            if (!reader.TryReadVarint(new FieldName("length of value", i), int.MaxValue, out ulong length) ||
                !reader.TrySkip(new FieldName("value", i), length, out int start))
            {
                throw Malformed(reader.Error!);
            }

            values[i] = bytes.Slice(start, (int)length);
            if (i > 0 && i < (int)anonymous && values[i - 1].Span.SequenceCompareTo(values[i].Span) > 0)
            {
                throw Malformed($"anonymous value {i} sorts before anonymous value {i - 1}, and anonymous values are stored in byte order");
            }
        }

        if (!reader.ExpectEnd())
        {
            throw Malformed(reader.Error!);
        }

        return new SiblingSet<ReadOnlyMemory<byte>>(VersionVector.FromSortedArrays(ids, counters), valueCounts, values, (int)anonymous);
    }

    /// <summary>The values with the anonymous ones (the first <paramref name="anonymousCount"/>) in byte order; the same array when they already are.</summary>
    private static ReadOnlyMemory<byte>[] InCanonicalOrder(ReadOnlyMemory<byte>[] values, int anonymousCount)
    {
        for (int i = 1; i < anonymousCount; i++)
        {
            if (values[i - 1].Span.SequenceCompareTo(values[i].Span) > 0)
            {
                var ordered = (ReadOnlyMemory<byte>[])values.Clone();
                Array.Sort(ordered, 0, anonymousCount, ByteOrder.Instance);
                return ordered;
            }
        }

        return values;
    }

    private static InvalidDataException Malformed(string problem) =>
        new($"The stored sibling set is malformed: {problem}.");

    private sealed class ByteOrder : IComparer<ReadOnlyMemory<byte>>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceCompareTo(y.Span);
    }
}
