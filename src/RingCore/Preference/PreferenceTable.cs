using System.Diagnostics;
using RingCore.Hashing;
using RingCore.Ring;

namespace RingCore.Preference;

/// <summary>
/// Every partition's preference list, precomputed for one ring version in one flat array: the
/// owners of partitions p, p+1, ..., p+W-1 (wrapping) for the widest n_val W. The list for a
/// smaller n_val N is the first N entries, so routing a key is a hash, a shift and a slice:
/// no search and no allocation (Dynamo section 4.3; riak_core_apl:get_primary_apl).
/// </summary>
public sealed class PreferenceTable
{
    private readonly int[] _members;
    private readonly int _shift;

    private PreferenceTable(RingState ring, int width, int[] members)
    {
        Ring = ring;
        Width = width;
        _members = members;
        _shift = PartitionMath.ShiftFor(ring.PartitionCount);
    }

    /// <summary>The ring version this table was built from.</summary>
    public RingState Ring { get; }

    /// <summary>The widest n_val the table serves (its lists' length).</summary>
    public int Width { get; }

    /// <summary>Precomputes the lists of every partition of <paramref name="ring"/> for n_val up to <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Width is below 1 or above the number of partitions.</exception>
    public static PreferenceTable Build(RingState ring, int width)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, ring.PartitionCount);
        int partitionCount = ring.PartitionCount;
        var owners = ring.Owners;
        var members = new int[partitionCount * width];
        for (int partition = 0; partition < partitionCount; partition++)
        {
            for (int offset = 0; offset < width; offset++)
            {
                members[(partition * width) + offset] = owners[PartitionMath.Advance(partition, offset, partitionCount)];
            }
        }

        return new PreferenceTable(ring, width, members);
    }

    /// <summary>The members (indexes into the ring's members) that hold the N replicas of <paramref name="partition"/>, primaries in order.</summary>
    public ReadOnlySpan<int> ForPartition(int partition, int nVal)
    {
        if ((uint)partition >= (uint)Ring.PartitionCount || (uint)(nVal - 1) >= (uint)Width)
        {
            ThrowOutOfRange(partition, nVal);
        }

        return new ReadOnlySpan<int>(_members, partition * Width, nVal);
    }

    /// <summary>The preference list of a 64-bit ring position.</summary>
    public ReadOnlySpan<int> ForPosition(ulong position, int nVal) => ForPartition((int)(position >> _shift), nVal);

    /// <summary>The preference list of a key: XxHash64 of its bytes, its partition, that partition's list.</summary>
    public ReadOnlySpan<int> ForKey(ReadOnlySpan<byte> key, int nVal) => ForPartition((int)(XxHash64.Hash(key) >> _shift), nVal);

    private void ThrowOutOfRange(int partition, int nVal)
    {
        Debug.Assert(Width >= 1, "a table is at least one wide");
        if ((uint)partition >= (uint)Ring.PartitionCount)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), partition,
                $"Partition must be from 0 to {Ring.PartitionCount - 1} in a ring of {Ring.PartitionCount}.");
        }

        throw new ArgumentOutOfRangeException(nameof(nVal), nVal, $"n_val must be from 1 to {Width} for this preference table.");
    }
}
