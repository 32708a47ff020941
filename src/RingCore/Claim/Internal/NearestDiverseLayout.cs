using System.Diagnostics;

namespace RingCore.Claim;

/// <summary>
/// For a small cluster (target_n to 2 * target_n - 1 members), a balanced, diverse layout that
/// keeps as many partitions with their owners as it can find. With so few members diversity leaves
/// little freedom (exactly target_n members must repeat with period target_n), and a change the
/// greedy claim cannot absorb locally is better searched for than laid out afresh: a fresh layout
/// keeps only what a relabelling happens to line up.
/// </summary>
/// <remarks>
/// <para>A diverse sequence is a walk through states "the last target_n - 1 owners, all distinct",
/// so the walk that keeps most owners is a longest path, found by dynamic programming (Viterbi)
/// in time linear in Q. With exactly target_n members every walk is periodic, so this finds the
/// best assignment of members to residues mod target_n exactly.</para>
/// <para>Balance is not a property of a walk. The programme is run backwards, giving for every
/// partition and state the best the rest of the ring can still keep, and the walk is then decoded
/// forwards, skipping members that have their share and charging members ahead of it pro rata, so a
/// pattern that favours some members is interleaved with others instead of exhausting them. What a
/// decoding cannot place by the end of the ring is priced into the next one (as in Lagrangian
/// relaxation), and the few partitions still off are transferred, cleanly where possible.</para>
/// <para>The wrap: an open walk first, whose first owners then anchor walks that must close the ring.
/// Where decoding runs out of room near the cut, the ring is cut elsewhere and searched again.</para>
/// <para>Integer arithmetic only, and ties go to the lowest member: every node computes the same layout.</para>
/// </remarks>
internal static class NearestDiverseLayout
{
    /// <summary>The worth of one partition that keeps its owner; prices are in the same unit.</summary>
    internal const long KeptWorth = 1 << 20;

    /// <summary>The most states the programme walks through (M!/(M - target_n + 1)!): 210 for 7 members at target_n 4.</summary>
    private const int MaxStates = 2048;

    /// <summary>Where the walk is cut, in eighths of the ring, tried in turn while decoding leaves partitions over.</summary>
    private static readonly int[] CutsInEighths = [0, 4, 2, 6, 1, 5, 3, 7];

    /// <summary>Decodings tried when the first cannot fit every member within its share.</summary>
    private const int MaxDecodings = 8;

    /// <summary>
    /// What a partition left over by decoding is reckoned to cost: its move, plus the swaps that
    /// repair the conflict a transfer without a clean place leaves.
    /// </summary>
    private const int LeftoverCost = 4;

    /// <summary>How much more the share charge weighs at the end of the ring than at its start, one decoding each.</summary>
    private static readonly long[] Urgencies = [1, 2, 4, 8, 16];

    /// <summary>How far a decoding's leftover moves the prices for the next: an eighth of a kept partition.</summary>
    private const long PriceStepDivisor = 8;

    /// <summary>Whether the search applies: a small cluster that must be diverse, and a state space small enough to walk.</summary>
    public static bool Applies(int partitionCount, int memberCount, int targetN)
    {
        if (targetN < 2 || memberCount < targetN || memberCount >= 2 * targetN || partitionCount < 2 * targetN)
        {
            return false;
        }

        long states = 1;
        for (int i = 0; i < targetN - 1; i++)
        {
            states *= memberCount - i;
        }

        return states <= MaxStates;
    }

    /// <summary>
    /// A balanced layout that keeps as many owners of <paramref name="original"/> as the search
    /// finds, diverse unless the balancing left a conflict it could not place cleanly (the caller
    /// repairs and compares); null when no diverse walk closes the ring (Q not a multiple of
    /// target_n with exactly target_n members).
    /// </summary>
    /// <param name="original">Owner of each partition before the change, -1 where the owner departs.</param>
    /// <param name="memberCount">Members after the change.</param>
    /// <param name="targetN">The diversity window.</param>
    public static int[]? Find(int[] original, int memberCount, int targetN)
    {
        Debug.Assert(Applies(original.Length, memberCount, targetN), "the caller checks Applies first");
        int partitionCount = original.Length;
        int mask = partitionCount - 1;
        var rotated = new int[partitionCount];
        int[]? best = null;
        int bestLeft = int.MaxValue;
        long bestCost = long.MaxValue;

        // Decoding can run out of room for a member only near where the walk closes the ring; if it
        // does, the walk is cut elsewhere: half way round, then at the quarters, then at the other eighths.
        foreach (int eighths in CutsInEighths)
        {
            int offset = (int)((long)partitionCount * eighths / 8);
            for (int partition = 0; partition < partitionCount; partition++)
            {
                rotated[partition] = original[(partition + offset) & mask];
            }

            var found = FindFromCut(rotated, memberCount, targetN, out int left, out long cost);
            if (found is null)
            {
                return null;
            }

            if (cost < bestCost)
            {
                (best, bestLeft, bestCost) = (new int[partitionCount], left, cost);
                for (int partition = 0; partition < partitionCount; partition++)
                {
                    best[(partition + offset) & mask] = found[partition];
                }
            }

            if (bestLeft == 0)
            {
                break;
            }
        }

        var counts = new int[memberCount];
        var surplus = new int[memberCount];
        Surpluses(best!, memberCount, counts, surplus);
        Balance(new ClaimBoard(best!, memberCount, targetN), original, surplus);
        return best;
    }

    /// <summary>The best decoded walk for a ring cut before partition 0, with what it leaves over and its reckoned cost.</summary>
    private static int[]? FindFromCut(int[] original, int memberCount, int targetN, out int bestLeft, out long bestCost)
    {
        var walk = new DiverseWalk(original, memberCount, targetN);
        int partitionCount = original.Length;
        var price = new long[memberCount];
        var counts = new int[memberCount];
        var surplus = new int[memberCount];
        var sequence = new int[partitionCount];
        bestLeft = int.MaxValue;
        bestCost = long.MaxValue;

        // The open walk at no price keeps most owners; its first owners anchor the closed walks.
        if (!walk.Run(price, start: -1, sequence))
        {
            return null;
        }

        // Decoding keeps each member within its share; what it cannot place by the end of the ring
        // is priced into the next decoding, so the walk makes room for it earlier.
        int start = walk.FirstState(sequence);
        var best = new int[partitionCount];
        for (int attempt = 0; attempt < MaxDecodings && bestLeft > 0; attempt++)
        {
            if (!walk.Prepare(price, start))
            {
                return null;
            }

            foreach (long urgency in Urgencies)
            {
                walk.Decode(urgency, sequence);
                int left = Surpluses(sequence, memberCount, counts, surplus);
                long cost = Moves(sequence, original) + (LeftoverCost * left);
                if (cost < bestCost)
                {
                    (bestCost, bestLeft) = (cost, left);
                    sequence.CopyTo(best, 0);
                }
            }

            Surpluses(best, memberCount, counts, surplus);
            for (int member = 0; member < memberCount; member++)
            {
                price[member] += KeptWorth * Math.Sign(surplus[member]) / PriceStepDivisor;
            }
        }

        return best;
    }

    /// <summary>count - target per member, the ceil(Q/M) targets going to the members that own most; returns the total surplus.</summary>
    private static int Surpluses(int[] sequence, int memberCount, int[] counts, int[] surplus)
    {
        Array.Clear(counts);
        foreach (int owner in sequence)
        {
            counts[owner]++;
        }

        int floor = sequence.Length / memberCount;
        int heavies = sequence.Length % memberCount;
        int total = 0;
        for (int member = 0; member < memberCount; member++)
        {
            int richer = 0;
            for (int other = 0; other < memberCount; other++)
            {
                richer += counts[other] > counts[member] || (counts[other] == counts[member] && other < member) ? 1 : 0;
            }

            surplus[member] = counts[member] - (floor + (richer < heavies ? 1 : 0));
            total += Math.Max(0, surplus[member]);
        }

        return total;
    }

    /// <summary>Moves partitions from members above target to members below it, each time the cheapest clean one.</summary>
    private static void Balance(ClaimBoard board, int[] original, int[] surplus)
    {
        for (int taker = 0; taker < board.MemberCount; taker++)
        {
            while (surplus[taker] < 0)
            {
                int chosen = -1;
                int chosenCost = int.MaxValue;
                bool chosenClean = false;
                for (int partition = 0; partition < board.PartitionCount; partition++)
                {
                    int donor = board.OwnerOf(partition);
                    if (surplus[donor] <= 0)
                    {
                        continue;
                    }

                    bool clean = board.CanPlace(taker, partition);
                    int cost = (original[partition] == donor ? 1 : 0) - (original[partition] == taker ? 1 : 0);
                    if ((clean && !chosenClean) || (clean == chosenClean && cost < chosenCost))
                    {
                        (chosen, chosenCost, chosenClean) = (partition, cost, clean);
                    }
                }

                Debug.Assert(chosen >= 0, "while someone is below target, someone else is above it");
                surplus[board.OwnerOf(chosen)]--;
                board.Assign(chosen, taker);
                surplus[taker]++;
            }
        }
    }

    private static int Moves(int[] sequence, int[] original)
    {
        int moves = 0;
        for (int partition = 0; partition < sequence.Length; partition++)
        {
            moves += sequence[partition] != original[partition] ? 1 : 0;
        }

        return moves;
    }
}
