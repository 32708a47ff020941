// The riak-compatible key hash: the partition riak_core would pick for a bucket and key, so a
// RingCore cluster in this mode routes exactly as a riak cluster of the same ring size does.
// Sources (basho/riak_core):
//   - src/chash.erl, key_of/1: the ring key of an object name is crypto SHA-1 over
//     term_to_binary(ObjectName); riak_kv names an object by the tuple {Bucket, Key}.
//   - src/chash.erl, next_index/2 and ring_increment/1: Inc = RINGTOP div Q, and a key belongs
//     to the partition after the one whose range it falls in: ((Key div Inc) + 1) * Inc.
//   - src/chashbin.erl, responsible_position/2: the same as a partition number that wraps,
//     ((HashKey div Inc) + 1) rem Q. That is what PartitionOf returns.
// Erlang's external term format ("External Term Format" chapter of the ERTS user's guide) gives
// the bytes: 131 (version), SMALL_TUPLE_EXT 104 with arity 2, then each binary as BINARY_EXT 109,
// a 4-byte big-endian length, and the bytes.
using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Security.Cryptography;

namespace RingCore.Hashing;

/// <summary>
/// The riak-compatible key hash: SHA-1 over Erlang's <c>term_to_binary({Bucket, Key})</c>, and the
/// partition riak_core's consistent hash assigns to it.
/// </summary>
/// <remarks>
/// Bucket and key are hashed as Erlang binaries, which is how riak_kv stores them. Use this mode to
/// place keys exactly where a riak cluster of the same ring size would; use <see cref="KeyPosition"/>
/// (XxHash64) when compatibility does not matter and speed does.
/// </remarks>
public static class RiakKeyHash
{
    /// <summary>The size of a SHA-1 digest, and so of every hash this type produces: 20 bytes (160 bits).</summary>
    public const int HashSizeInBytes = 20;

    // Ring sizes: riak.conf documents ring_size (riak_core.ring_creation_size) as "a power of 2,
    // minimum 8 and maximum 1024". We keep riak's floor and allow larger rings, up to 2^16, where
    // the partition number is still the top 16 bits of the hash's first four bytes.
    private const int MinPartitionCount = 8;
    private const int MaxPartitionCount = 65536;

    // Encodings up to this size are built on the stack; larger ones (rare: long keys) rent from
    // the shared pool, so hashing never allocates either way.
    private const int StackallocThreshold = 256;

    // External term format tags (ERTS user's guide, "External Term Format").
    private const byte VersionMagic = 131;
    private const byte SmallTupleExt = 104;
    private const byte BinaryExt = 109;

    // 131, 104, arity; then per binary: 109 and a 4-byte length.
    private const int TupleHeaderLength = 3;
    private const int BinaryHeaderLength = 5;

    /// <summary>
    /// Returns the length of <c>term_to_binary({Bucket, Key})</c> for a bucket and key of the given
    /// lengths: 3 + 5 + <paramref name="bucketLength"/> + 5 + <paramref name="keyLength"/>.
    /// </summary>
    /// <param name="bucketLength">The bucket's length in bytes.</param>
    /// <param name="keyLength">The key's length in bytes.</param>
    /// <returns>The number of bytes <see cref="EncodeBucketKey"/> writes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative, or the encoding would not fit in an array.</exception>
    public static int EncodedLength(int bucketLength, int keyLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucketLength);
        ArgumentOutOfRangeException.ThrowIfNegative(keyLength);

        long length = (long)TupleHeaderLength + BinaryHeaderLength + bucketLength + BinaryHeaderLength + keyLength;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(keyLength),
                keyLength,
                $"A bucket of {bucketLength} bytes and a key of {keyLength} bytes encode to {length} bytes, more than an array can hold ({Array.MaxLength}).");
        }

        return (int)length;
    }

    /// <summary>
    /// Writes Erlang's <c>term_to_binary({Bucket, Key})</c>, with both as binaries, to
    /// <paramref name="destination"/>.
    /// </summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="key">The key.</param>
    /// <param name="destination">Where to write; at least <see cref="EncodedLength"/> bytes.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static int EncodeBucketKey(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        int length = EncodedLength(bucket.Length, key.Length);
        if (destination.Length < length)
        {
            ThrowDestinationTooSmall(bucket.Length, key.Length, length, destination.Length, nameof(destination));
        }

        destination[0] = VersionMagic;
        destination[1] = SmallTupleExt;
        destination[2] = 2; // arity: {Bucket, Key}
        int written = TupleHeaderLength;
        written += WriteBinary(bucket, destination.Slice(written));
        written += WriteBinary(key, destination.Slice(written));

        Debug.Assert(written == length, "EncodedLength must describe exactly what is written.");
        return written;
    }

    /// <summary>
    /// Writes the 20-byte SHA-1 of <c>term_to_binary({Bucket, Key})</c> to <paramref name="destination"/>:
    /// riak_core's <c>chash:key_of({Bucket, Key})</c>.
    /// </summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="key">The key.</param>
    /// <param name="destination">Where to write the hash; at least <see cref="HashSizeInBytes"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="HashSizeInBytes"/>.</exception>
    public static void Hash(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        if (destination.Length < HashSizeInBytes)
        {
            ThrowHashDestinationTooSmall(destination.Length, nameof(destination));
        }

        int length = EncodedLength(bucket.Length, key.Length);
        byte[]? rented = null;
        Span<byte> buffer = length <= StackallocThreshold
            ? stackalloc byte[StackallocThreshold]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            int written = EncodeBucketKey(bucket, key, buffer);
            SHA1.HashData(buffer.Slice(0, written), destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Returns the partition riak_core assigns to a 160-bit key hash in a ring of
    /// <paramref name="partitionCount"/> partitions: <c>((h div Inc) + 1) rem Q</c>, with h read
    /// big-endian and <c>Inc = 2^160 / Q</c>.
    /// </summary>
    /// <param name="sha1Hash">The key hash, as <see cref="Hash"/> writes it; exactly <see cref="HashSizeInBytes"/> bytes.</param>
    /// <param name="partitionCount">The ring size Q: a power of two from 8 to 65536.</param>
    /// <returns>The partition number, from 0 to Q - 1; partition p starts at ring index p * Inc.</returns>
    /// <exception cref="ArgumentException"><paramref name="sha1Hash"/> is not 20 bytes long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitionCount"/> is not a power of two from 8 to 65536.</exception>
    public static int PartitionOf(ReadOnlySpan<byte> sha1Hash, int partitionCount)
    {
        if (sha1Hash.Length != HashSizeInBytes)
        {
            ThrowWrongHashLength(sha1Hash.Length, nameof(sha1Hash));
        }

        ValidatePartitionCount(partitionCount);
        return PartitionOfValidated(sha1Hash, partitionCount);
    }

    /// <summary>
    /// Returns the partition riak_core assigns to <paramref name="key"/> in <paramref name="bucket"/>
    /// in a ring of <paramref name="partitionCount"/> partitions: <see cref="Hash"/>, then
    /// <see cref="PartitionOf(ReadOnlySpan{byte}, int)"/>. Allocates nothing.
    /// </summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="key">The key.</param>
    /// <param name="partitionCount">The ring size Q: a power of two from 8 to 65536.</param>
    /// <returns>The partition number, from 0 to Q - 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitionCount"/> is not a power of two from 8 to 65536.</exception>
    public static int PartitionOf(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, int partitionCount)
    {
        // Validate before hashing so a misconfigured ring size fails without wasted work.
        ValidatePartitionCount(partitionCount);
        Span<byte> hash = stackalloc byte[HashSizeInBytes];
        Hash(bucket, key, hash);
        return PartitionOfValidated(hash, partitionCount);
    }

    private static int PartitionOfValidated(ReadOnlySpan<byte> sha1Hash, int partitionCount)
    {
        // Q = 2^bits, so Inc = 2^160 / Q = 2^(160 - bits) exactly, and h div Inc is just the top
        // `bits` bits of h. With bits <= 16 they all sit in the first four bytes, so no 160-bit
        // arithmetic is needed. riak_core's RINGTOP is written trunc(math:pow(2,160)-1), but the
        // float subtraction is lost at that magnitude and it evaluates to exactly 2^160 (checked
        // on OTP 25), so the division is exact as assumed here.
        int bits = BitOperations.Log2((uint)partitionCount);
        uint top = BinaryPrimitives.ReadUInt32BigEndian(sha1Hash) >> (32 - bits);

        // The + 1 is riak_core's: a key is owned by the partition whose index is the first one
        // strictly after it (chash:next_index/2), and the last range wraps to partition 0.
        return (int)((top + 1) & (uint)(partitionCount - 1));
    }

    private static void ValidatePartitionCount(int partitionCount)
    {
        if (partitionCount < MinPartitionCount || partitionCount > MaxPartitionCount || !BitOperations.IsPow2(partitionCount))
        {
            ThrowInvalidPartitionCount(partitionCount, nameof(partitionCount));
        }
    }

    private static int WriteBinary(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        destination[0] = BinaryExt;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1), (uint)value.Length);
        value.CopyTo(destination.Slice(BinaryHeaderLength));
        return BinaryHeaderLength + value.Length;
    }

    // Throw helpers keep the hot methods small enough to inline.
    [DoesNotReturn]
    private static void ThrowDestinationTooSmall(int bucketLength, int keyLength, int needed, int available, string paramName) =>
        throw new ArgumentException(
            $"The destination is too small: a bucket of {bucketLength} bytes and a key of {keyLength} bytes encode to {needed} bytes, but the destination holds {available}. Size it with {nameof(RiakKeyHash)}.{nameof(EncodedLength)}.",
            paramName);

    [DoesNotReturn]
    private static void ThrowHashDestinationTooSmall(int available, string paramName) =>
        throw new ArgumentException(
            $"The destination is too small: a SHA-1 key hash is {HashSizeInBytes} bytes, but the destination holds {available}.",
            paramName);

    [DoesNotReturn]
    private static void ThrowWrongHashLength(int length, string paramName) =>
        throw new ArgumentException(
            $"A riak key hash is a {HashSizeInBytes}-byte SHA-1 digest, but {length} bytes were given.",
            paramName);

    [DoesNotReturn]
    private static void ThrowInvalidPartitionCount(int partitionCount, string paramName) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            partitionCount,
            $"The partition count (ring size) must be a power of two from {MinPartitionCount} to {MaxPartitionCount}, such as 64 (riak's default ring_size) or 1024; got {partitionCount}.");
}
