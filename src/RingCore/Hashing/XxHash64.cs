// XXH64, the 64-bit hash of the xxHash project (Yann Collet), as specified in the xxHash
// repository's doc/xxhash_spec.md ("xxHash fast digest algorithm", section "XXH64 Algorithm
// Description", steps 1 to 7). This is the routing hot path: one-shot, no allocation, no `unsafe`.
// We write it ourselves because System.IO.Hashing (which ships the same algorithm) does not
// restore on the project's machines.
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RingCore.Hashing;

/// <summary>
/// The XXH64 non-cryptographic hash of the xxHash project: fast, well distributed, and stable
/// across platforms, so the same key routes to the same partition on every node.
/// </summary>
/// <remarks>
/// The output equals the reference implementation's <c>XXH64(input, length, seed)</c> for every
/// input and seed; the tests pin the project's published sanity vectors
/// (cli/xsum_sanity_check.c). Use <see cref="RiakKeyHash"/> instead where keys must land on the
/// partitions a riak cluster would pick.
/// </remarks>
public static class XxHash64
{
    // The five 64-bit primes of the spec ("Algorithm Description", constants PRIME64_1..5).
    private const ulong Prime64_1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime64_2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime64_3 = 0x165667B19E3779F9UL;
    private const ulong Prime64_4 = 0x85EBCA77C2B2AE63UL;
    private const ulong Prime64_5 = 0x27D4EB2F165667C5UL;

    // A stripe is four 8-byte lanes, one per accumulator (spec step 2).
    private const int StripeLength = 32;

    /// <summary>Computes the XXH64 hash of <paramref name="source"/>.</summary>
    /// <param name="source">The bytes to hash; may be empty.</param>
    /// <param name="seed">The seed; 0 unless the caller needs an independent hash family.</param>
    /// <returns>The 64-bit hash, as the reference implementation returns it (not byte-swapped).</returns>
    public static ulong Hash(ReadOnlySpan<byte> source, ulong seed = 0)
    {
        int length = source.Length;
        ulong acc;

        if (length >= StripeLength)
        {
            // Step 1: four accumulators so the stripe loop has four independent dependency
            // chains, which is where XXH64 gets its speed on long inputs.
            ulong acc1 = seed + Prime64_1 + Prime64_2;
            ulong acc2 = seed + Prime64_2;
            ulong acc3 = seed;
            ulong acc4 = seed - Prime64_1;

            // Step 2: whole stripes. Slicing the span each turn lets the JIT drop bounds checks
            // on the four fixed-offset reads.
            ReadOnlySpan<byte> remaining = source;
            do
            {
                acc1 = Round(acc1, BinaryPrimitives.ReadUInt64LittleEndian(remaining));
                acc2 = Round(acc2, BinaryPrimitives.ReadUInt64LittleEndian(remaining.Slice(8)));
                acc3 = Round(acc3, BinaryPrimitives.ReadUInt64LittleEndian(remaining.Slice(16)));
                acc4 = Round(acc4, BinaryPrimitives.ReadUInt64LittleEndian(remaining.Slice(24)));
                remaining = remaining.Slice(StripeLength);
            }
            while (remaining.Length >= StripeLength);

            // Step 3: converge the four lanes into one accumulator.
            acc = BitOperations.RotateLeft(acc1, 1) + BitOperations.RotateLeft(acc2, 7)
                + BitOperations.RotateLeft(acc3, 12) + BitOperations.RotateLeft(acc4, 18);
            acc = MergeAccumulator(acc, acc1);
            acc = MergeAccumulator(acc, acc2);
            acc = MergeAccumulator(acc, acc3);
            acc = MergeAccumulator(acc, acc4);

            source = remaining;
        }
        else
        {
            // Short inputs skip the stripes and start from a single accumulator (spec step 1,
            // "Special case: input is less than 32 bytes").
            acc = seed + Prime64_5;
        }

        // Step 4: the total length takes part in the final mix.
        acc += (ulong)length;

        // Step 5: up to 31 bytes remain: 8-byte lanes, then one 4-byte lane, then single bytes.
        while (source.Length >= 8)
        {
            acc ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(source));
            acc = (BitOperations.RotateLeft(acc, 27) * Prime64_1) + Prime64_4;
            source = source.Slice(8);
        }

        if (source.Length >= 4)
        {
            acc ^= BinaryPrimitives.ReadUInt32LittleEndian(source) * Prime64_1;
            acc = (BitOperations.RotateLeft(acc, 23) * Prime64_2) + Prime64_3;
            source = source.Slice(4);
        }

        for (int i = 0; i < source.Length; i++)
        {
            acc ^= source[i] * Prime64_5;
            acc = BitOperations.RotateLeft(acc, 11) * Prime64_1;
        }

        return Avalanche(acc);
    }

    // Spec step 2, round(accN, laneN).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Round(ulong acc, ulong lane)
    {
        acc += lane * Prime64_2;
        acc = BitOperations.RotateLeft(acc, 31);
        return acc * Prime64_1;
    }

    // Spec step 3, mergeAccumulator(acc, accN).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MergeAccumulator(ulong acc, ulong accN)
    {
        acc ^= Round(0, accN);
        acc *= Prime64_1;
        return acc + Prime64_4;
    }

    // Spec step 6: the final mix, so every input bit can flip every output bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Avalanche(ulong acc)
    {
        acc ^= acc >> 33;
        acc *= Prime64_2;
        acc ^= acc >> 29;
        acc *= Prime64_3;
        acc ^= acc >> 32;
        return acc;
    }
}
