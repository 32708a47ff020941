using System.Diagnostics;

namespace RingCore.Claim;

/// <summary>
/// Lays out a ring from nothing: a balanced sequence of member labels in which no label appears
/// twice within target_n consecutive partitions, and in which each label's neighbours vary
/// around the ring.
/// </summary>
/// <remarks>
/// <para>Write Q = k*M + r. The r "heavy" labels own k + 1 partitions, the M - r "light" labels
/// own k. When r &gt; 0 the ring is k + 1 rounds, each listing every heavy and all lights but one
/// contiguous block of them, so each light is skipped exactly once; when r = 0 it is k rounds of
/// all labels.</para>
/// <para>Fixed order (few members): every round lists labels in one order, lights first, and the
/// rounds skip the blocks in descending order (0, k, k-1, ..., 1). A label then loses distance
/// only when the round before it skipped a block after it and the next round a block before it;
/// with descending skips no block lies strictly between two consecutive skipped blocks, so no
/// label has partitions less than M - ceil((M - r) / (k + 1)) apart, wrap included.</para>
/// <para>Shuffled order (at least 2 * target_n members): a fixed order makes each member's
/// neighbours the same at every partition it owns, so when it leaves, those neighbours can take
/// none of its partitions and the claim must move extra partitions to stay diverse. Each round is
/// therefore shuffled, with the first target_n - 1 places of a round kept free of the members
/// that ended the round before, and the last round's tail kept free of the first round's head.</para>
/// <para>riak_core's sequential claim (riak_core_claim:claim_rebalance_n) is the fixed order
/// without the care at the wrap, which is where its diversity breaks down.</para>
/// </remarks>
internal static class SequentialClaim
{
    /// <summary>Owners (labels 0..M-1; the last r labels own one partition more) for Q partitions and M labels.</summary>
    public static int[] Build(int partitionCount, int memberCount, int targetN)
    {
        int heavies = partitionCount % memberCount;
        int rounds = (partitionCount / memberCount) + (heavies == 0 ? 0 : 1);
        int lights = memberCount - heavies;
        bool shuffle = rounds > 1 && memberCount >= 2 * targetN;
        var owners = new int[partitionCount];
        var rng = new SplitMix64(((ulong)(uint)partitionCount << 32) | (uint)memberCount);
        var round = new int[memberCount];
        var previousTail = new int[Math.Max(0, targetN - 1)];
        int next = 0;
        for (int index = 0; index < rounds; index++)
        {
            int size = 0;
            int skipped = heavies == 0 ? -1 : (rounds - index) % rounds;
            int skipFrom = skipped < 0 ? 0 : (int)((long)skipped * lights / rounds);
            int skipTo = skipped < 0 ? 0 : (int)((long)(skipped + 1) * lights / rounds);
            for (int label = 0; label < memberCount; label++)
            {
                if (label < skipFrom || label >= skipTo)
                {
                    round[size++] = label;
                }
            }

            var members = round.AsSpan(0, size);
            if (shuffle)
            {
                rng.Shuffle(members);
                var head = index == 0 ? ReadOnlySpan<int>.Empty : previousTail.AsSpan();
                var firstHead = index == rounds - 1 ? owners.AsSpan(0, targetN - 1) : ReadOnlySpan<int>.Empty;
                Order(members, head, firstHead, targetN);
                members[^(targetN - 1)..].CopyTo(previousTail);
            }

            members.CopyTo(owners.AsSpan(next));
            next += size;
        }

        Debug.Assert(next == partitionCount, "k rounds of lights and k + 1 of heavies fill Q exactly");
        return owners;
    }

    /// <summary>
    /// Reorders a shuffled round so that it keeps distance target_n from its neighbours: a label
    /// that was j places from the end of the previous round (<paramref name="previousTail"/>,
    /// oldest first) must sit at place target_n - j or later, and for the last round a label at
    /// place i of the first round (<paramref name="firstHead"/>) must sit target_n - i places or
    /// more before the end. A round of at least 2 * target_n labels always has room for both.
    /// </summary>
    private static void Order(Span<int> members, ReadOnlySpan<int> previousTail, ReadOnlySpan<int> firstHead, int targetN)
    {
        int size = members.Length;
        bool small = size <= 256;
        Span<int> earliest = small ? stackalloc int[size] : new int[size];
        Span<int> latest = small ? stackalloc int[size] : new int[size];
        for (int slot = 0; slot < size; slot++)
        {
            int tailIndex = previousTail.IndexOf(members[slot]);
            int headIndex = firstHead.IndexOf(members[slot]);
            earliest[slot] = tailIndex < 0 ? 0 : targetN - (previousTail.Length - tailIndex);
            latest[slot] = headIndex < 0 ? size - 1 : size - targetN + headIndex;
        }

        Span<int> ordered = small ? stackalloc int[size] : new int[size];
        Span<bool> used = small ? stackalloc bool[size] : new bool[size];

        // The most constrained places first: the tail (which the first round's head limits), then the head.
        for (int place = size - 1; place >= size - targetN + 1; place--)
        {
            ordered[place] = members[Pick(earliest, latest, used, place)];
        }

        for (int place = 0; place <= size - targetN; place++)
        {
            ordered[place] = members[Pick(earliest, latest, used, place)];
        }

        ordered.CopyTo(members);
    }

    private static int Pick(ReadOnlySpan<int> earliest, ReadOnlySpan<int> latest, Span<bool> used, int place)
    {
        for (int slot = 0; slot < used.Length; slot++)
        {
            if (!used[slot] && earliest[slot] <= place && latest[slot] >= place)
            {
                used[slot] = true;
                return slot;
            }
        }

        throw new InvalidOperationException($"No label fits place {place}; rounds of at least 2 * target_n labels always have one.");
    }
}
