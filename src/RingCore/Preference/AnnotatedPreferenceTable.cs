using System.Diagnostics;
using RingCore.Hashing;
using RingCore.Ring;

namespace RingCore.Preference;

/// <summary>
/// Every partition's annotated preference list for one ring version, one n_val and one set of up
/// members: the up primaries in ring order, then one fallback per down primary. Fallbacks are the
/// owners of the partitions after the primaries, taken in ring order, skipping members that are
/// down or already in the list (Dynamo section 4.6, sloppy quorum; riak_core_apl:get_apl_ann).
/// </summary>
/// <remarks>
/// Up/down changes are rare next to requests, so the table is rebuilt when they happen and the
/// request path only slices it (docs/architecture.md: "Up/down changes rebuild the annotated table, off the
/// hot path").
/// </remarks>
public sealed class AnnotatedPreferenceTable
{
    private readonly PreferenceEntry[] _entries;
    private readonly byte[] _lengths;
    private readonly int _shift;

    private AnnotatedPreferenceTable(RingState ring, int nVal, PreferenceEntry[] entries, byte[] lengths)
    {
        Ring = ring;
        NVal = nVal;
        _entries = entries;
        _lengths = lengths;
        _shift = PartitionMath.ShiftFor(ring.PartitionCount);
    }

    /// <summary>The ring version this table was built from.</summary>
    public RingState Ring { get; }

    /// <summary>The number of replicas each list holds when enough members are up.</summary>
    public int NVal { get; }

    /// <summary>
    /// Builds the table for <paramref name="nVal"/> replicas, treating every member whose index is
    /// set in <paramref name="up"/> as reachable.
    /// </summary>
    /// <param name="ring">The ring.</param>
    /// <param name="nVal">Replicas per key, from 1 to 255 and at most Q.</param>
    /// <param name="up">One flag per ring member (indexed like <see cref="RingState.Members"/>): true when it is up.</param>
    public static AnnotatedPreferenceTable Build(RingState ring, int nVal, ReadOnlySpan<bool> up)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentOutOfRangeException.ThrowIfLessThan(nVal, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nVal, Math.Min(byte.MaxValue, ring.PartitionCount));
        if (up.Length != ring.Members.Length)
        {
            throw new ArgumentException(
                $"The up set needs one flag per member ({ring.Members.Length}), got {up.Length}.", nameof(up));
        }

        int partitionCount = ring.PartitionCount;
        var entries = new PreferenceEntry[partitionCount * nVal];
        var lengths = new byte[partitionCount];
        for (int partition = 0; partition < partitionCount; partition++)
        {
            lengths[partition] = (byte)Annotate(ring, partition, nVal, up, entries.AsSpan(partition * nVal, nVal));
        }

        return new AnnotatedPreferenceTable(ring, nVal, entries, lengths);
    }

    /// <summary>Builds the table with the members named in <paramref name="upMembers"/> up and all others down.</summary>
    /// <exception cref="ArgumentException">A name in <paramref name="upMembers"/> is not a member of the ring.</exception>
    public static AnnotatedPreferenceTable Build(RingState ring, int nVal, IEnumerable<string> upMembers)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(upMembers);
        var up = new bool[ring.Members.Length];
        foreach (string name in upMembers)
        {
            up[ring.RequireMember(name)] = true;
        }

        return Build(ring, nVal, up);
    }

    /// <summary>The annotated list of <paramref name="partition"/>: up primaries first, then fallbacks. Shorter than n_val only when too few members are up.</summary>
    public ReadOnlySpan<PreferenceEntry> ForPartition(int partition)
    {
        if ((uint)partition >= (uint)_lengths.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), partition,
                $"Partition must be from 0 to {_lengths.Length - 1} in a ring of {_lengths.Length}.");
        }

        return new ReadOnlySpan<PreferenceEntry>(_entries, partition * NVal, _lengths[partition]);
    }

    /// <summary>The annotated list of <paramref name="partition"/> as memory a request can keep (no copy).</summary>
    internal ReadOnlyMemory<PreferenceEntry> ForPartitionMemory(int partition)
    {
        ForPartition(partition); // checks the partition
        return new ReadOnlyMemory<PreferenceEntry>(_entries, partition * NVal, _lengths[partition]);
    }

    /// <summary>The annotated list of a key (XxHash64 of its bytes).</summary>
    public ReadOnlySpan<PreferenceEntry> ForKey(ReadOnlySpan<byte> key) => ForPartition((int)(XxHash64.Hash(key) >> _shift));

    /// <summary>
    /// Writes the annotated list of one partition into <paramref name="destination"/> (n_val
    /// long) and returns how many entries it holds.
    /// </summary>
    internal static int Annotate(RingState ring, int partition, int nVal, ReadOnlySpan<bool> up, Span<PreferenceEntry> destination)
    {
        Debug.Assert(destination.Length >= nVal, "room for n_val entries");
        int partitionCount = ring.PartitionCount;
        var owners = ring.Owners;
        int count = 0;
        for (int offset = 0; offset < nVal; offset++)
        {
            int primaryPartition = PartitionMath.Advance(partition, offset, partitionCount);
            int owner = owners[primaryPartition];
            if (up[owner])
            {
                destination[count++] = new PreferenceEntry(primaryPartition, owner, -1);
            }
        }

        // Each down primary, in ring order, gets the next suitable owner after the primaries.
        int candidateOffset = nVal;
        for (int offset = 0; offset < nVal; offset++)
        {
            int primaryPartition = PartitionMath.Advance(partition, offset, partitionCount);
            int owner = owners[primaryPartition];
            if (up[owner])
            {
                continue;
            }

            for (; candidateOffset < partitionCount; candidateOffset++)
            {
                int candidate = owners[PartitionMath.Advance(partition, candidateOffset, partitionCount)];
                if (up[candidate] && !Contains(destination[..count], candidate))
                {
                    destination[count++] = new PreferenceEntry(primaryPartition, candidate, owner);
                    candidateOffset++;
                    break;
                }
            }
        }

        return count;
    }

    private static bool Contains(ReadOnlySpan<PreferenceEntry> entries, int member)
    {
        foreach (var entry in entries)
        {
            if (entry.Member == member)
            {
                return true;
            }
        }

        return false;
    }
}
