using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using RingCore.Hashing;

namespace RingCore.Causality;

/// <summary>
/// An immutable version vector: for each replica, how many events (writes it coordinated) the
/// history holds. It plays the part of riak_core's <c>vclock</c> and of dvvset's
/// <c>vector()</c>, the causal context a client reads and hands back with its next write.
/// </summary>
/// <remarks>
/// Two parallel arrays sorted by id (ids strictly ascending, every counter at least 1: a
/// replica with no events has no entry), so comparing two vectors is one merge walk over
/// arrays, allocation free, and a vector is two arrays rather than a dictionary.
/// Ids are replica (vnode) ids, never client ids (see <see cref="ReplicaId"/>).
/// </remarks>
public sealed class VersionVector : IEquatable<VersionVector>
{
    private readonly ReplicaId[] _ids;
    private readonly ulong[] _counters;

    private VersionVector(ReplicaId[] ids, ulong[] counters)
    {
        Debug.Assert(ids.Length == counters.Length, "every id has exactly one counter");
        Debug.Assert(IsStrictlyAscending(ids), "ids are sorted and distinct, which makes every walk a merge");
        Debug.Assert(Array.IndexOf(counters, 0UL) < 0, "a counter of 0 is no entry at all, so it is never stored");
        _ids = ids;
        _counters = counters;
    }

    /// <summary>The empty history: no replica has any event.</summary>
    public static VersionVector Empty { get; } = new([], []);

    /// <summary>How many replicas have an entry.</summary>
    public int Count => _ids.Length;

    /// <summary>The replicas with an entry, in ascending order.</summary>
    public ReadOnlySpan<ReplicaId> Ids => _ids;

    /// <summary>The counters, indexed like <see cref="Ids"/>; each at least 1.</summary>
    public ReadOnlySpan<ulong> Counters => _counters;

    /// <summary>Shared with the sibling sets built on this vector; never written after construction.</summary>
    internal ReplicaId[] IdArray => _ids;

    internal ulong[] CounterArray => _counters;

    /// <summary>A vector with the given entries, in any order.</summary>
    /// <exception cref="ArgumentException">An id is listed twice, or a counter is 0 (leave such a replica out).</exception>
    public static VersionVector Create(IEnumerable<KeyValuePair<ReplicaId, ulong>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToArray();
        var ids = new ReplicaId[list.Length];
        var counters = new ulong[list.Length];
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i].Value == 0)
            {
                throw new ArgumentException(
                    $"Replica {list[i].Key} has counter 0; a replica without events has no entry, so leave it out.", nameof(entries));
            }

            ids[i] = list[i].Key;
            counters[i] = list[i].Value;
        }

        Array.Sort(ids, counters);
        for (int i = 1; i < ids.Length; i++)
        {
            if (ids[i] == ids[i - 1])
            {
                throw new ArgumentException($"Replica {ids[i]} is listed more than once.", nameof(entries));
            }
        }

        return ids.Length == 0 ? Empty : new VersionVector(ids, counters);
    }

    /// <summary>Wraps arrays the caller has already sorted and validated, and will never change.</summary>
    internal static VersionVector FromSortedArrays(ReplicaId[] ids, ulong[] counters) =>
        ids.Length == 0 ? Empty : new VersionVector(ids, counters);

    /// <summary>The counter of <paramref name="replica"/>: 0 when it has no entry.</summary>
    public ulong Get(ReplicaId replica)
    {
        int index = IndexOf(_ids, replica);
        return index >= 0 ? _counters[index] : 0;
    }

    /// <summary>This history plus one new event of <paramref name="replica"/>.</summary>
    /// <exception cref="OverflowException">The replica's counter is already <see cref="ulong.MaxValue"/>.</exception>
    public VersionVector Increment(ReplicaId replica)
    {
        int index = IndexOf(_ids, replica);
        if (index >= 0)
        {
            // The ids do not change, so the new vector shares them.
            var counters = (ulong[])_counters.Clone();
            counters[index] = checked(counters[index] + 1);
            return new VersionVector(_ids, counters);
        }

        int insertAt = ~index;
        var ids = new ReplicaId[_ids.Length + 1];
        var grown = new ulong[_ids.Length + 1];
        Array.Copy(_ids, ids, insertAt);
        Array.Copy(_counters, grown, insertAt);
        ids[insertAt] = replica;
        grown[insertAt] = 1;
        Array.Copy(_ids, insertAt, ids, insertAt + 1, _ids.Length - insertAt);
        Array.Copy(_counters, insertAt, grown, insertAt + 1, _ids.Length - insertAt);
        return new VersionVector(ids, grown);
    }

    /// <summary>
    /// True when this history holds every event of <paramref name="other"/> (equal counts
    /// too): a value with this history may replace one with the other (riak_core vclock:descends/2).
    /// </summary>
    public bool Descends(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Descends(_ids, _counters, other._ids, other._counters);
    }

    /// <summary>True when this history descends <paramref name="other"/> and is not equal to it.</summary>
    public bool Dominates(VersionVector other) => Compare(other) == CausalOrder.After;

    /// <summary>True when neither history descends the other.</summary>
    public bool IsConcurrentWith(VersionVector other) => Compare(other) == CausalOrder.Concurrent;

    /// <summary>How this history relates to <paramref name="other"/>, in one walk over both.</summary>
    public CausalOrder Compare(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compare(_ids, _counters, other._ids, other._counters);
    }

    /// <summary>
    /// The least history that descends both: the entrywise maximum (riak_core vclock:merge/1).
    /// Returns one of the two unchanged, without allocating, when it already descends the other.
    /// </summary>
    public VersionVector Merge(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Descends(other))
        {
            return this;
        }

        if (Descends(other._ids, other._counters, _ids, _counters))
        {
            return other;
        }

        var ids = new ReplicaId[_ids.Length + other._ids.Length];
        var counters = new ulong[ids.Length];
        int i = 0, j = 0, k = 0;
        while (i < _ids.Length || j < other._ids.Length)
        {
            if (j == other._ids.Length || (i < _ids.Length && _ids[i].Value < other._ids[j].Value))
            {
                ids[k] = _ids[i];
                counters[k++] = _counters[i++];
            }
            else if (i == _ids.Length || other._ids[j].Value < _ids[i].Value)
            {
                ids[k] = other._ids[j];
                counters[k++] = other._counters[j++];
            }
            else
            {
                ids[k] = _ids[i];
                counters[k++] = Math.Max(_counters[i++], other._counters[j++]);
            }
        }

        Array.Resize(ref ids, k);
        Array.Resize(ref counters, k);
        return new VersionVector(ids, counters);
    }

    /// <summary>True when both vectors hold exactly the same entries.</summary>
    public bool Equals(VersionVector? other) =>
        other is not null && _ids.AsSpan().SequenceEqual(other._ids) && _counters.AsSpan().SequenceEqual(other._counters);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as VersionVector);

    /// <summary>A hash of the entries that is the same in every process (XxHash64, not a randomized hash).</summary>
    public override int GetHashCode()
    {
        ulong hash = XxHash64.Hash(MemoryMarshal.AsBytes(_ids.AsSpan()));
        hash = XxHash64.Hash(MemoryMarshal.AsBytes(_counters.AsSpan()), hash);
        return (int)hash ^ (int)(hash >> 32);
    }

    /// <summary>The entries as <c>[id:counter, ...]</c>, ids in hex.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < _ids.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(_ids[i].ToString()).Append(':').Append(_counters[i]);
        }

        return text.Append(']').ToString();
    }

    /// <summary>Whether history (leftIds, leftCounters) holds every event of the right one.</summary>
    internal static bool Descends(ReadOnlySpan<ReplicaId> leftIds, ReadOnlySpan<ulong> leftCounters,
        ReadOnlySpan<ReplicaId> rightIds, ReadOnlySpan<ulong> rightCounters)
    {
        if (rightIds.Length > leftIds.Length)
        {
            return false; // the right has an id the left lacks
        }

        int i = 0;
        for (int j = 0; j < rightIds.Length; j++)
        {
            ulong id = rightIds[j].Value;
            while (i < leftIds.Length && leftIds[i].Value < id)
            {
                i++;
            }

            if (i == leftIds.Length || leftIds[i].Value != id || leftCounters[i] < rightCounters[j])
            {
                return false;
            }

            i++;
        }

        return true;
    }

    /// <summary>The one-walk comparison behind <see cref="Compare(VersionVector)"/>, also used on sibling sets' clocks.</summary>
    internal static CausalOrder Compare(ReadOnlySpan<ReplicaId> leftIds, ReadOnlySpan<ulong> leftCounters,
        ReadOnlySpan<ReplicaId> rightIds, ReadOnlySpan<ulong> rightCounters)
    {
        // leftAhead: the left holds an event the right lacks; rightAhead the other way round.
        // Counters are at least 1, so an id present on one side only is such an event.
        bool leftAhead = false, rightAhead = false;
        int i = 0, j = 0;
        while (i < leftIds.Length && j < rightIds.Length)
        {
            ulong left = leftIds[i].Value, right = rightIds[j].Value;
            if (left == right)
            {
                ulong leftCounter = leftCounters[i++], rightCounter = rightCounters[j++];
                leftAhead |= leftCounter > rightCounter;
                rightAhead |= leftCounter < rightCounter;
            }
            else if (left < right)
            {
                leftAhead = true;
                i++;
            }
            else
            {
                rightAhead = true;
                j++;
            }

            if (leftAhead && rightAhead)
            {
                return CausalOrder.Concurrent;
            }
        }

        leftAhead |= i < leftIds.Length;
        rightAhead |= j < rightIds.Length;
        return leftAhead
            ? (rightAhead ? CausalOrder.Concurrent : CausalOrder.After)
            : (rightAhead ? CausalOrder.Before : CausalOrder.Equal);
    }

    /// <summary>The index of <paramref name="replica"/>, or the bitwise complement of where it would go.</summary>
    internal static int IndexOf(ReadOnlySpan<ReplicaId> ids, ReplicaId replica)
    {
        int low = 0, high = ids.Length - 1;
        ulong value = replica.Value;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            ulong found = ids[middle].Value;
            if (found == value)
            {
                return middle;
            }

            if (found < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    internal static bool IsStrictlyAscending(ReadOnlySpan<ReplicaId> ids)
    {
        for (int i = 1; i < ids.Length; i++)
        {
            if (ids[i - 1].Value >= ids[i].Value)
            {
                return false;
            }
        }

        return true;
    }
}
