// XXH64, the 64-bit hash of the xxHash project (Yann Collet; doc/xxhash_spec.md of its
// repository), as System.IO.Hashing computes it. This type adds no hashing of its own: it keeps
// the one call every ring position, checksum and stable hash code in RingCore goes through, with
// the seed typed as the unsigned number XXH64 defines it to be.
using System.Runtime.CompilerServices;

namespace RingCore.Hashing;

/// <summary>
/// The XXH64 non-cryptographic hash of the xxHash project: fast, well distributed, and stable
/// across platforms and processes, so the same key routes to the same partition on every node.
/// </summary>
/// <remarks>
/// The output equals the reference implementation's <c>XXH64(input, length, seed)</c> for every
/// input and seed; the tests pin the project's published sanity vectors
/// (cli/xsum_sanity_check.c). It is the placement of every stored key, so it must never change:
/// System.IO.Hashing's XxHash3 is faster on some inputs but places keys elsewhere
/// (bench/README.md, "Key hash: XxHash64 vs XxHash3").
/// </remarks>
internal static class XxHash64
{
    /// <summary>Computes the XXH64 hash of <paramref name="source"/>.</summary>
    /// <param name="source">The bytes to hash; may be empty.</param>
    /// <param name="seed">The seed; 0 unless the caller needs an independent hash family.</param>
    /// <returns>The 64-bit hash, as the reference implementation returns it (not byte-swapped).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ReadOnlySpan<byte> source, ulong seed = 0) =>
        // XXH64's seed is an unsigned 64-bit number; System.IO.Hashing takes it as a long and
        // reinterprets it as ulong, so the cast must keep the bits, not the value (seeds above
        // long.MaxValue, such as every bucket seed with the top bit set, become negative longs).
        System.IO.Hashing.XxHash64.HashToUInt64(source, unchecked((long)seed));
}
