using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using RingCore.Hashing;

namespace RingCore.Causality;

/// <summary>
/// The opaque causal context a client gets with a read and hands back, unchanged, with its
/// next write to the same key: the encoded <see cref="VersionVector"/> of what the read
/// returned (riak's <c>X-Riak-Vclock</c> / the protocol buffers <c>vclock</c> field). A write
/// with it supersedes exactly the values that read returned; a write without it supersedes
/// nothing and becomes a sibling of whatever is stored.
/// </summary>
/// <remarks>
/// <para>
/// Encoding, version 1: <c>[version 1 byte = 1][entry count, varint]</c>, then per entry
/// <c>[replica id, 8 bytes little-endian][counter, varint]</c> with ids strictly ascending and
/// counters at least 1, then <c>[checksum, 8 bytes little-endian]</c>: XxHash64 of everything
/// before it. The version byte lets a later format be told apart instead of misread. The
/// checksum catches a context damaged on its way through a client (a truncated header, a
/// flipped bit in a counter), which would otherwise make a write silently supersede values
/// its client never saw; it is no defence against a client that forges contexts on purpose.
/// </para>
/// <para>
/// The empty vector encodes to no bytes at all, so a client that has never read sends nothing;
/// <see cref="Decode"/> accepts no bytes as <see cref="VersionVector.Empty"/>.
/// </para>
/// </remarks>
public readonly struct CausalContext : IEquatable<CausalContext>
{
    /// <summary>The format version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>
    /// The most entries a context may hold: 1,024. A key's clock has one entry per vnode
    /// incarnation that ever coordinated a write to it (N primaries, fallbacks, new epochs), a
    /// handful in practice; the bound keeps a malicious context from costing more than 16 KiB to decode.
    /// </summary>
    public const int MaxEntries = 1024;

    /// <summary>The longest context this build accepts: the encoding of <see cref="MaxEntries"/> entries with the largest counters.</summary>
    public const int MaxBytes = 1 + 2 + (MaxEntries * (sizeof(ulong) + Varint.MaxBytes)) + sizeof(ulong);

    // Seeds the checksum so a context is not mistaken for another XxHash64-checked format.
    internal const ulong ChecksumSeed = 0x52_43_43_54_58_54_76_31; // "RCCTXTv1"

    // Version byte, an entry count of 0 and the checksum: the shortest non-empty encoding.
    private const int MinNonEmptyBytes = 1 + 1 + sizeof(ulong);

    private readonly byte[]? _bytes;

    private CausalContext(byte[] bytes)
    {
        _bytes = bytes;
    }

    /// <summary>No context: what a client sends before it has read the key.</summary>
    public static CausalContext Empty => default;

    /// <summary>The encoded bytes, to send to the client as they are.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>True for <see cref="Empty"/>, the context of nothing read.</summary>
    public bool IsEmpty => _bytes is null || _bytes.Length == 0;

    /// <summary>Encodes the history a read returned.</summary>
    /// <exception cref="ArgumentException">The vector has more than <see cref="MaxEntries"/> entries.</exception>
    internal static CausalContext Encode(VersionVector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (vector.Count == 0)
        {
            return Empty;
        }

        if (vector.Count > MaxEntries)
        {
            throw new ArgumentException(
                $"A causal context holds at most {MaxEntries} entries (got {vector.Count}).", nameof(vector));
        }

        var ids = vector.Ids;
        var counters = vector.Counters;
        int size = 1 + Varint.SizeOf((ulong)ids.Length) + sizeof(ulong);
        for (int i = 0; i < ids.Length; i++)
        {
            size += ClockEntry.SizeOf(counters[i]);
        }

        var bytes = new byte[size];
        bytes[0] = FormatVersion;
        int offset = 1 + Varint.Write(bytes.AsSpan(1), (ulong)ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            offset += ClockEntry.Write(bytes.AsSpan(offset), ids[i], counters[i]);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), XxHash64.Hash(bytes.AsSpan(0, offset), ChecksumSeed));
        return new CausalContext(bytes);
    }

    /// <summary>
    /// Checks and keeps a context a client sent back, so it can be passed on as a typed value.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not a context this build wrote (see <see cref="Decode"/>).</exception>
    public static CausalContext FromBytes(ReadOnlySpan<byte> bytes)
    {
        _ = Decode(bytes);
        return bytes.IsEmpty ? Empty : new CausalContext(bytes.ToArray());
    }

    /// <summary>The history this context encodes.</summary>
    internal VersionVector ToVersionVector() => Decode(_bytes);

    /// <summary>Decodes a context a client sent back.</summary>
    /// <exception cref="FormatException">The bytes are not a context this build wrote: too long, another format
    /// version, a checksum that does not match (damaged or truncated), or entries out of order; the message says which.</exception>
    internal static VersionVector Decode(ReadOnlySpan<byte> bytes)
    {
        if (!TryDecode(bytes, out var vector, out string? error))
        {
            throw new FormatException(
                $"The causal context is malformed: {error}. Send back the context exactly as a read returned it, or none.");
        }

        return vector;
    }

    /// <summary>Decodes a context a client sent back; false, with no exception, when it is malformed.</summary>
    internal static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out VersionVector? vector) =>
        TryDecode(bytes, out vector, out _);

    /// <summary>Decodes a context a client sent back; false, with <paramref name="error"/> naming what is wrong, when it is malformed.</summary>
    internal static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out VersionVector? vector,
        [NotNullWhen(false)] out string? error)
    {
        vector = null;
        error = null;
        if (bytes.IsEmpty)
        {
            vector = VersionVector.Empty;
            return true;
        }

        if (bytes.Length > MaxBytes)
        {
            error = $"it is {bytes.Length} bytes long, more than the {MaxBytes} bytes of the largest context";
            return false;
        }

        if (bytes[0] != FormatVersion)
        {
            error = $"it has format version {bytes[0]}, and this build reads only version {FormatVersion}";
            return false;
        }

        if (bytes.Length < MinNonEmptyBytes)
        {
            error = $"it is {bytes.Length} bytes long, shorter than the {MinNonEmptyBytes} bytes of the shortest context (truncated?)";
            return false;
        }

        var body = bytes[..^sizeof(ulong)];
        if (XxHash64.Hash(body, ChecksumSeed) != BinaryPrimitives.ReadUInt64LittleEndian(bytes[^sizeof(ulong)..]))
        {
            error = "its checksum does not match its bytes (damaged or truncated)";
            return false;
        }

        var reader = new ClockReader(body);
        if (!reader.TryReadByte("format version", out _) ||
            !reader.TryReadCount("entry count", MaxEntries, sizeof(ulong) + 1, out int count))
        {
            error = reader.Error!;
            return false;
        }

        var ids = new ReplicaId[count];
        var counters = new ulong[count];
        ReplicaId? previous = null;
        for (int i = 0; i < count; i++)
        {
            if (!reader.TryReadEntry(i, previous, out ids[i], out counters[i]))
            {
                error = reader.Error!;
                return false;
            }

            previous = ids[i];
        }

        if (!reader.ExpectEnd())
        {
            error = reader.Error!;
            return false;
        }

        vector = VersionVector.FromSortedArrays(ids, counters);
        return true;
    }

    /// <summary>True when both contexts have the same bytes.</summary>
    public bool Equals(CausalContext other) => Bytes.Span.SequenceEqual(other.Bytes.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CausalContext other && Equals(other);

    /// <summary>A hash of the bytes that is the same in every process.</summary>
    public override int GetHashCode() => (int)XxHash64.Hash(Bytes.Span);

    /// <summary>The context's length, and the vector it encodes.</summary>
    public override string ToString() => IsEmpty ? "causal context (empty)" : $"causal context ({_bytes!.Length} bytes) {ToVersionVector()}";

    /// <summary>True when both contexts have the same bytes.</summary>
    public static bool operator ==(CausalContext left, CausalContext right) => left.Equals(right);

    /// <summary>True when the contexts' bytes differ.</summary>
    public static bool operator !=(CausalContext left, CausalContext right) => !left.Equals(right);
}
