using System.Diagnostics;

namespace RingCore.Causality;

/// <summary>
/// The operations of riak_kv's <c>dvvset.erl</c> (Gonçalves and Almeida) on
/// <see cref="SiblingSet{TValue}"/>: a client write (<c>New</c>), a replica recording it as a new
/// dot (<c>Update</c>), and two replicas merging what they hold (<c>Sync</c>).
/// </summary>
/// <remarks>
/// The put path of a replica coordinating a write, as in riak_kv_put_fsm / riak_kv_vnode with
/// DVVs enabled: <c>stored = Update(New(context, value), stored, self)</c>, then the new set is
/// sent to the other replicas, which do <c>stored = Sync(stored, received)</c>. The get path
/// syncs the replies and returns <see cref="SiblingSet{TValue}.Values"/> with the context
/// <see cref="SiblingSet{TValue}.Join"/> (Almeida et al., DAIS 2014; Preguiça et al. 2010).
/// </remarks>
public static class SiblingSet
{
    /// <summary>A client write with no causal context: it supersedes nothing (dvvset:new/1).</summary>
    public static SiblingSet<TValue> New<TValue>(TValue value) => New(VersionVector.Empty, value);

    /// <summary>
    /// A client write carrying the causal context of an earlier read: once recorded, it
    /// supersedes exactly the values that read returned (dvvset:new/2). The value is anonymous
    /// until <see cref="Update{TValue}(SiblingSet{TValue}, SiblingSet{TValue}, ReplicaId, IEqualityComparer{TValue}, ulong)"/> gives it a dot.
    /// </summary>
    /// <param name="context">The <see cref="SiblingSet{TValue}.Join"/> of the read, usually decoded from a <see cref="CausalContext"/>.</param>
    /// <param name="value">The value written.</param>
    public static SiblingSet<TValue> New<TValue>(VersionVector context, TValue value)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new SiblingSet<TValue>(context, new int[context.Count], [value], 1);
    }

    /// <summary>
    /// Merges what two replicas hold: the union of both histories, keeping every value that
    /// neither history has superseded (dvvset:sync/2). On sets whose values all carry dots (every
    /// set a replica stores) this is commutative, associative and idempotent, so replicas may
    /// exchange sets in any order, any number of times.
    /// </summary>
    /// <param name="left">One replica's set.</param>
    /// <param name="right">The other replica's set.</param>
    /// <param name="comparer">Decides which anonymous values are the same value (dvvset keeps a set of them);
    /// the default comparer when null. Dotted values are told apart by their dots and never compared.</param>
    public static SiblingSet<TValue> Sync<TValue>(SiblingSet<TValue> left, SiblingSet<TValue> right,
        IEqualityComparer<TValue>? comparer = null)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        VersionVector leftHistory = left.Join(), rightHistory = right.Join();

        // Anonymous values have no dot to compare, so dvvset keeps those of the strictly newer
        // side, or of both (sync/2). Dotted values go entry by entry: even a newer side can hold
        // a value the older side has seen and dropped, so no order is a shortcut for them.
        var order = leftHistory.Compare(rightHistory);
        bool keepLeftAnonymous = order != CausalOrder.Before && left.AnonymousCount > 0;
        bool keepRightAnonymous = order != CausalOrder.After && right.AnonymousCount > 0;

        var leftIds = leftHistory.Ids;
        var rightIds = rightHistory.Ids;
        var leftCounters = leftHistory.Counters;
        var rightCounters = rightHistory.Counters;
        var leftCounts = left.ValueCounts;
        var rightCounts = right.ValueCounts;

        // First pass: the result's size, and whether it is one of the inputs unchanged (a replica
        // sent a version it already has, or one that supersedes its own: replication's common
        // case), which is then returned without allocating.
        bool isLeft = !keepRightAnonymous && (left.AnonymousCount == 0 || keepLeftAnonymous);
        bool isRight = !keepLeftAnonymous && (right.AnonymousCount == 0 || keepRightAnonymous);
        int entries = 0, dotted = 0, i = 0, j = 0;
        while (i < leftIds.Length || j < rightIds.Length)
        {
            entries++;
            if (j == rightIds.Length || (i < leftIds.Length && leftIds[i].Value < rightIds[j].Value))
            {
                dotted += leftCounts[i++];
                isRight = false;
            }
            else if (i == leftIds.Length || rightIds[j].Value < leftIds[i].Value)
            {
                dotted += rightCounts[j++];
                isLeft = false;
            }
            else
            {
                int survivors = Survivors(leftCounters[i], leftCounts[i], rightCounters[j], rightCounts[j]);
                dotted += survivors;
                isLeft &= leftCounters[i] >= rightCounters[j] && survivors == leftCounts[i];
                isRight &= rightCounters[j] >= leftCounters[i] && survivors == rightCounts[j];
                i++;
                j++;
            }
        }

        if (isLeft)
        {
            return left;
        }

        if (isRight)
        {
            return right;
        }

        // Second pass: fill arrays of exactly that size.
        TValue[] anonymous = [];
        if (keepLeftAnonymous || keepRightAnonymous)
        {
            var union = new List<TValue>(left.AnonymousCount + right.AnonymousCount);
            var valueComparer = comparer ?? EqualityComparer<TValue>.Default;
            UnionInto(union, keepLeftAnonymous ? left.AnonymousValues : [], valueComparer);
            UnionInto(union, keepRightAnonymous ? right.AnonymousValues : [], valueComparer);
            anonymous = union.ToArray();
        }

        var leftValues = left.DottedValues;
        var rightValues = right.DottedValues;
        var ids = new ReplicaId[entries];
        var counters = new ulong[entries];
        var valueCounts = new int[entries];
        var values = new TValue[anonymous.Length + dotted];
        anonymous.CopyTo(values, 0);
        int k = 0, next = anonymous.Length, leftOffset = 0, rightOffset = 0;
        i = 0;
        j = 0;
        while (i < leftIds.Length || j < rightIds.Length)
        {
            ReadOnlySpan<TValue> live;
            if (j == rightIds.Length || (i < leftIds.Length && leftIds[i].Value < rightIds[j].Value))
            {
                ids[k] = leftIds[i];
                counters[k] = leftCounters[i];
                live = leftValues.Slice(leftOffset, leftCounts[i]);
                leftOffset += leftCounts[i++];
            }
            else if (i == leftIds.Length || rightIds[j].Value < leftIds[i].Value)
            {
                ids[k] = rightIds[j];
                counters[k] = rightCounters[j];
                live = rightValues.Slice(rightOffset, rightCounts[j]);
                rightOffset += rightCounts[j++];
            }
            else
            {
                // The survivors are the newest dots, all held by the side with the higher counter.
                int survivors = Survivors(leftCounters[i], leftCounts[i], rightCounters[j], rightCounts[j]);
                ids[k] = leftIds[i];
                counters[k] = Math.Max(leftCounters[i], rightCounters[j]);
                live = leftCounters[i] >= rightCounters[j]
                    ? leftValues.Slice(leftOffset, survivors)
                    : rightValues.Slice(rightOffset, survivors);
                leftOffset += leftCounts[i++];
                rightOffset += rightCounts[j++];
            }

            valueCounts[k++] = live.Length;
            live.CopyTo(values.AsSpan(next));
            next += live.Length;
        }

        Debug.Assert(k == entries && next == values.Length, "the second pass builds exactly the shape the first one measured");
        return new SiblingSet<TValue>(VersionVector.FromSortedArrays(ids, counters), valueCounts, values, anonymous.Length);
    }

    /// <summary>
    /// Syncs any number of sets, e.g. the R replies of a read (dvvset:sync/1). The empty set
    /// when there are none.
    /// </summary>
    public static SiblingSet<TValue> Sync<TValue>(IEnumerable<SiblingSet<TValue>> sets, IEqualityComparer<TValue>? comparer = null)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var result = SiblingSet<TValue>.Empty;
        foreach (var set in sets)
        {
            result = Sync(result, set, comparer);
        }

        return result;
    }

    /// <summary>
    /// Records a client write on a replica that holds nothing for the key: the value gets the
    /// next dot of <paramref name="replica"/> after the write's context (dvvset:update/2).
    /// </summary>
    /// <param name="clientWrite">A set made by <see cref="New{TValue}(VersionVector, TValue)"/> (or a reconcile): one anonymous value, no other.</param>
    /// <param name="replica">The coordinating replica: a vnode id, never a client id.</param>
    /// <exception cref="ArgumentException"><paramref name="clientWrite"/> is not a single anonymous value.</exception>
    public static SiblingSet<TValue> Update<TValue>(SiblingSet<TValue> clientWrite, ReplicaId replica)
    {
        RequireClientWrite(clientWrite);
        return Event(new SiblingSet<TValue>(clientWrite.Join(), clientWrite.ValueCountArray, [], 0),
            replica, clientWrite.AnonymousValues[0]);
    }

    /// <summary>
    /// Records a client write on a replica that holds <paramref name="stored"/>: the result
    /// holds the union of both histories plus one new dot of <paramref name="replica"/> carrying
    /// the value, so it supersedes exactly what the write's context had seen, and keeps every
    /// stored value the context had not seen as a sibling (dvvset:update/3).
    /// </summary>
    /// <param name="clientWrite">A set made by <see cref="New{TValue}(VersionVector, TValue)"/> (or a reconcile): one anonymous value, no other.</param>
    /// <param name="stored">What the coordinating replica holds for the key.</param>
    /// <param name="replica">The coordinating replica: a vnode id, never a client id.</param>
    /// <param name="comparer">As in <see cref="Sync{TValue}(SiblingSet{TValue}, SiblingSet{TValue}, IEqualityComparer{TValue})"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="clientWrite"/> is not a single anonymous value.</exception>
    /// <param name="counterFloor">
    /// The highest counter <paramref name="replica"/> has issued for any key. When the replica
    /// has no live value in the result's history (say the key was reaped), the new dot goes past
    /// it, so a dot reaped from this key is never issued again and an old copy of the key that
    /// comes back late (a duplicated message) cannot dominate the new write. With live values the
    /// counter must stay contiguous (dvvset places values by counter), and then the stored history
    /// already prevents reuse. Zero: plain dvvset behaviour.
    /// </param>
    public static SiblingSet<TValue> Update<TValue>(SiblingSet<TValue> clientWrite, SiblingSet<TValue> stored, ReplicaId replica,
        IEqualityComparer<TValue>? comparer = null, ulong counterFloor = 0)
    {
        RequireClientWrite(clientWrite);
        ArgumentNullException.ThrowIfNull(stored);
        var context = new SiblingSet<TValue>(clientWrite.Join(), clientWrite.ValueCountArray, [], 0);
        return Event(Sync(context, stored, comparer), replica, clientWrite.AnonymousValues[0], counterFloor);
    }

    /// <summary>True when every value of <paramref name="subset"/> is in <paramref name="superset"/>.</summary>
    internal static bool ContainsAll<TValue>(ReadOnlySpan<TValue> superset, ReadOnlySpan<TValue> subset, IEqualityComparer<TValue> comparer)
    {
        foreach (var value in subset)
        {
            if (!Contains(superset, value, comparer))
            {
                return false;
            }
        }

        return true;
    }

    // dvvset event/3: the next dot of the replica, the value at the head of its entry.
    private static SiblingSet<TValue> Event<TValue>(SiblingSet<TValue> set, ReplicaId replica, TValue value, ulong counterFloor = 0)
    {
        var history = set.Join();
        int index = VersionVector.IndexOf(history.Ids, replica);
        int entry = index >= 0 ? index : ~index;
        var oldCounts = set.ValueCounts;
        var valueCounts = new int[history.Count + (index >= 0 ? 0 : 1)];
        oldCounts.Slice(0, entry).CopyTo(valueCounts);
        if (index >= 0)
        {
            oldCounts.Slice(entry).CopyTo(valueCounts.AsSpan(entry));
            valueCounts[entry]++;
        }
        else
        {
            oldCounts.Slice(entry).CopyTo(valueCounts.AsSpan(entry + 1));
            valueCounts[entry] = 1;
        }

        // The new value goes first among its entry's values: after the anonymous values and
        // every value of the entries before it.
        int insertAt = set.AnonymousCount;
        for (int i = 0; i < entry; i++)
        {
            insertAt += oldCounts[i];
        }

        var oldValues = set.ValueArray;
        var values = new TValue[oldValues.Length + 1];
        Array.Copy(oldValues, values, insertAt);
        values[insertAt] = value;
        Array.Copy(oldValues, insertAt, values, insertAt + 1, oldValues.Length - insertAt);
        // A replica with no live value here may jump past counterFloor (see Update): no value's
        // dot shifts, as none is placed by this replica's counter.
        var advanced = counterFloor >= history.Get(replica) + 1 && (index < 0 || oldCounts[index] == 0)
            ? history.Merge(VersionVector.Create([new KeyValuePair<ReplicaId, ulong>(replica, counterFloor + 1)]))
            : history.Increment(replica);
        var result = new SiblingSet<TValue>(advanced, valueCounts, values, set.AnonymousCount);
        Debug.Assert(result.Join().Dominates(history), "a new event is never already in the history it extends");
        return result;
    }

    private static void RequireClientWrite<TValue>(SiblingSet<TValue> clientWrite)
    {
        ArgumentNullException.ThrowIfNull(clientWrite);
        if (clientWrite.AnonymousCount != 1 || clientWrite.Count != 1)
        {
            throw new ArgumentException(
                $"A client write holds exactly one value without a dot, as SiblingSet.New makes it; this set holds {clientWrite.Count} " +
                $"values, {clientWrite.AnonymousCount} of them without a dot.", nameof(clientWrite));
        }
    }

    // dvvset merge/5, for one replica both sides know: its dots above (counter - live values)
    // still have values on that side. A dot survives unless the other side has seen it and
    // dropped it, so the survivors are the dots above the higher of the two floors.
    private static int Survivors(ulong leftCounter, int leftLive, ulong rightCounter, int rightLive)
    {
        ulong floor = Math.Max(leftCounter - (ulong)leftLive, rightCounter - (ulong)rightLive);
        return (int)(Math.Max(leftCounter, rightCounter) - floor);
    }

    private static void UnionInto<TValue>(List<TValue> values, ReadOnlySpan<TValue> add, IEqualityComparer<TValue> comparer)
    {
        foreach (var value in add)
        {
            if (!Contains(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values), value, comparer))
            {
                values.Add(value);
            }
        }
    }

    private static bool Contains<TValue>(ReadOnlySpan<TValue> values, TValue value, IEqualityComparer<TValue> comparer)
    {
        foreach (var candidate in values)
        {
            if (comparer.Equals(candidate, value))
            {
                return true;
            }
        }

        return false;
    }
}
