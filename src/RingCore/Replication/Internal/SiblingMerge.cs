using RingCore.Causality;

namespace RingCore.Replication;

/// <summary>
/// How two replicas' sets of one key combine: dvvset sync for ordinary buckets, and for
/// last-write-wins buckets the set whose newest value has the later timestamp (riak_kv's
/// last_write_wins overwrites; causality is not consulted when neither history descends).
/// </summary>
internal static class SiblingMerge
{
    public static SiblingSet<ReadOnlyMemory<byte>> Merge(SiblingSet<ReadOnlyMemory<byte>> left, SiblingSet<ReadOnlyMemory<byte>> right,
        bool lastWriteWins)
    {
        if (!lastWriteWins)
        {
            return SiblingSet.Sync(left, right, ByteValueComparer.Instance);
        }

        if (left.Count == 0)
        {
            return right;
        }

        if (right.Count == 0)
        {
            return left;
        }

        var order = left.Join().Compare(right.Join());
        if (order == CausalOrder.After || order == CausalOrder.Equal)
        {
            return left;
        }

        if (order == CausalOrder.Before)
        {
            return right;
        }

        // Concurrent: the later timestamp wins; a tie goes to the greater bytes, and equal bytes
        // (one value written through two coordinators in one clock tick) to the greater history,
        // so every replica picks the same winner whatever order the sets arrive in. Without the
        // last rule each side kept its own, and anti-entropy repaired them forever (issue 14).
        var leftLast = left.Last(ReplicaValue.Timestamp);
        var rightLast = right.Last(ReplicaValue.Timestamp);
        int byTime = ReplicaValue.Timestamp(leftLast).CompareTo(ReplicaValue.Timestamp(rightLast));
        if (byTime == 0)
        {
            byTime = leftLast.Span.SequenceCompareTo(rightLast.Span);
        }

        if (byTime == 0)
        {
            byTime = CompareEntries(left.Join(), right.Join());
        }

        return byTime >= 0 ? left : right;
    }

    /// <summary>A total order on histories (entry by entry: the id, then the counter), for ties nothing else decides; concurrent histories are never equal.</summary>
    private static int CompareEntries(VersionVector left, VersionVector right)
    {
        var leftIds = left.Ids;
        var rightIds = right.Ids;
        for (int i = 0; i < leftIds.Length && i < rightIds.Length; i++)
        {
            int order = leftIds[i].Value != rightIds[i].Value
                ? leftIds[i].Value.CompareTo(rightIds[i].Value)
                : left.Counters[i].CompareTo(right.Counters[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return leftIds.Length.CompareTo(rightIds.Length);
    }

    /// <summary>True when every value is a tombstone (a set with no values counts: nothing live).</summary>
    /// <summary>The merge of a bucket as a replica put applies it: <see cref="Merge"/> with the bucket's rule.</summary>
    public static Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> For(bool lastWriteWins) =>
        lastWriteWins ? LastWriteWinsMerge : KeepSiblingsMerge;

    private static readonly Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> KeepSiblingsMerge =
        static (local, incoming) => Merge(local, incoming, lastWriteWins: false);

    private static readonly Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> LastWriteWinsMerge =
        static (local, incoming) => Merge(local, incoming, lastWriteWins: true);

    public static bool AllTombstones(SiblingSet<ReadOnlyMemory<byte>> set)
    {
        foreach (var value in set.Values)
        {
            if (!ReplicaValue.IsTombstone(value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when every value has a complete header (checked on sets that come from peers).</summary>
    public static bool IsWellFormed(SiblingSet<ReadOnlyMemory<byte>> set)
    {
        foreach (var value in set.Values)
        {
            if (!ReplicaValue.IsWellFormed(value))
            {
                return false;
            }
        }

        return true;
    }
}
