using System.Numerics;

namespace RingCore.Ring;

/// <summary>
/// The arithmetic of a fixed-partition ring (Dynamo section 6.2, strategy 3: Q equal-sized
/// partitions). Because Q is a power of two, the partition of a 64-bit position is its top
/// log2(Q) bits: a shift, never a search.
/// </summary>
public static class PartitionMath
{
    /// <summary>The smallest ring size: fewer partitions cannot spread even a 3-node cluster.</summary>
    public const int MinPartitionCount = 8;

    /// <summary>The largest ring size: owners fit comfortably in memory and claim stays under a second.</summary>
    public const int MaxPartitionCount = 65536;

    /// <summary>Whether <paramref name="partitionCount"/> is a power of two from 8 to 65536.</summary>
    public static bool IsValidPartitionCount(int partitionCount) =>
        partitionCount is >= MinPartitionCount and <= MaxPartitionCount && BitOperations.IsPow2(partitionCount);

    /// <summary>Throws a clear <see cref="ArgumentOutOfRangeException"/> unless the ring size is valid.</summary>
    public static void ValidatePartitionCount(int partitionCount, string? paramName = "partitionCount")
    {
        if (!IsValidPartitionCount(partitionCount))
        {
            throw new ArgumentOutOfRangeException(paramName, partitionCount,
                $"The ring size must be a power of two from {MinPartitionCount} to {MaxPartitionCount} (got {partitionCount}).");
        }
    }

    /// <summary>The shift that maps a 64-bit position to its partition: 64 - log2(Q).</summary>
    public static int ShiftFor(int partitionCount)
    {
        ValidatePartitionCount(partitionCount);
        return 64 - BitOperations.Log2((uint)partitionCount);
    }

    /// <summary>The partition that holds <paramref name="position"/> in a ring of 2^(64 - shift) partitions.</summary>
    public static int PartitionOf(ulong position, int shift) => (int)(position >> shift);

    /// <summary>The partition <paramref name="distance"/> steps after <paramref name="partition"/>, wrapping.</summary>
    public static int Advance(int partition, int distance, int partitionCount) =>
        (partition + distance) & (partitionCount - 1);
}
