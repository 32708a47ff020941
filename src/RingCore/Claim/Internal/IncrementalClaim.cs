using System.Diagnostics;
using RingCore.Ring;

namespace RingCore.Claim;

/// <summary>
/// Rebalances an existing ring onto a new member set, moving as few partitions as balance
/// requires (Dynamo section 6.2: with fixed partitions, a join or leave moves whole partitions,
/// and only as many as the new member's fair share).
/// </summary>
/// <remarks>
/// Steps: (1) give each member its target, floor(Q/M) or ceil(Q/M), handing the larger targets
/// to the members that already own most, so nobody gives up a partition it would get back;
/// (2) hand every partition of a departing member to a member below target that can hold it
/// without breaking diversity, through one intermediary if needed; (3) let members below target
/// take partitions from members above it, spread around the ring at the stride their share
/// implies; (4) repair what diversity is still broken by swaps; (5) if that fails where
/// diversity is possible, lay the ring out afresh and keep the better of the two.
/// </remarks>
internal static class IncrementalClaim
{
    /// <summary>
    /// In a small cluster, conflicts (pairs) up to which the greedy layout is repaired before the
    /// search runs: a few conflicts are local, and swaps may settle them in fewer moves.
    /// </summary>
    private const int MaxConflictsToRepairFirst = 16;

    public static int[] Run(RingState current, RingMember[] members, int targetN, out int minimumMoves, out bool rebuilt)
    {
        int partitionCount = current.PartitionCount;
        int memberCount = members.Length;
        var original = new int[partitionCount];
        var newIndexOfOld = new int[current.Members.Length];
        for (int old = 0; old < newIndexOfOld.Length; old++)
        {
            newIndexOfOld[old] = IndexOf(members, current.Members[old].Name);
        }

        for (int partition = 0; partition < partitionCount; partition++)
        {
            original[partition] = newIndexOfOld[current.Owners[partition]];
        }

        var board = new ClaimBoard((int[])original.Clone(), memberCount, targetN);
        int[] surplus = Surpluses(board);
        minimumMoves = 0;
        for (int partition = 0; partition < partitionCount; partition++)
        {
            minimumMoves += original[partition] < 0 ? 1 : 0;
        }

        foreach (int extra in surplus)
        {
            minimumMoves += Math.Max(0, extra);
        }

        AssignOrphans(board, surplus);
        FillDeficits(board, surplus);
        Debug.Assert(Array.TrueForAll(surplus, s => s == 0), "after steps 2 and 3 every member is at its target");

        rebuilt = false;
        if (memberCount < targetN)
        {
            return board.Owners;
        }

        int violations = board.CountViolations();
        if (NearestDiverseLayout.Applies(partitionCount, memberCount, targetN)
            && (violations > 0 || Moves(board.Owners, original) > minimumMoves))
        {
            (board, violations) = BetterOfSearchAndRepair(board, violations, original);
        }
        else
        {
            DiversityRepair.Run(board, original);
            violations = board.CountViolations();
        }

        if (violations == 0)
        {
            return board.Owners;
        }

        var fresh = new ClaimBoard(BestAlignedLayout(partitionCount, memberCount, targetN, original), memberCount, targetN);
        DiversityRepair.Run(fresh, original);
        if (fresh.CountViolations() < violations)
        {
            rebuilt = true;
            return fresh.Owners;
        }

        return board.Owners;
    }

    /// <summary>
    /// A small cluster: the searched layout (<see cref="NearestDiverseLayout"/>) or the greedy one
    /// repaired, whichever has fewer conflicts, then fewer moves. A greedy layout with many
    /// conflicts is one whose owners leave no room (a fixed-order layout losing a member), where
    /// swaps only shuffle the ring: it is repaired only if the search finds nothing diverse.
    /// </summary>
    private static (ClaimBoard Board, int Violations) BetterOfSearchAndRepair(ClaimBoard greedy, int violations, int[] original)
    {
        bool repaired = false;
        if (violations <= MaxConflictsToRepairFirst)
        {
            DiversityRepair.Run(greedy, original);
            violations = greedy.CountViolations();
            repaired = true;
        }

        int[]? searched = violations == 0 && Moves(greedy.Owners, original) == 0 ? null
            : NearestDiverseLayout.Find(original, greedy.MemberCount, greedy.TargetN);
        var candidate = searched is null ? null : new ClaimBoard(searched, greedy.MemberCount, greedy.TargetN);
        int candidateViolations = int.MaxValue;
        if (candidate is not null)
        {
            DiversityRepair.Run(candidate, original);
            candidateViolations = candidate.CountViolations();
        }

        if (!repaired && candidateViolations > 0)
        {
            DiversityRepair.Run(greedy, original);
            violations = greedy.CountViolations();
        }

        bool searchWins = candidate is not null && (candidateViolations < violations
            || (candidateViolations == violations && Moves(candidate.Owners, original) < Moves(greedy.Owners, original)));
        return searchWins ? (candidate!, candidateViolations) : (greedy, violations);
    }

    /// <summary>count - target per member: positive must give partitions away, negative must take them.</summary>
    private static int[] Surpluses(ClaimBoard board)
    {
        int memberCount = board.MemberCount;
        int floor = board.PartitionCount / memberCount;
        int heavies = board.PartitionCount % memberCount;
        var order = new int[memberCount];
        for (int member = 0; member < memberCount; member++)
        {
            order[member] = member;
        }

        // The ceil(Q/M) targets go to those who own most now, so no one gives a partition away only to
        // take one back; among equals, to those who can hold most orphans cleanly, so a departing
        // member's partitions are not left to its own neighbours; then by name.
        var fit = new int[memberCount];
        for (int partition = 0; partition < board.PartitionCount; partition++)
        {
            if (board.OwnerOf(partition) < 0)
            {
                for (int member = 0; member < memberCount; member++)
                {
                    fit[member] += board.CanPlace(member, partition) ? 1 : 0;
                }
            }
        }

        Array.Sort(order, (a, b) =>
            board.CountOf(a) != board.CountOf(b) ? board.CountOf(b).CompareTo(board.CountOf(a))
            : fit[a] != fit[b] ? fit[b].CompareTo(fit[a])
            : a.CompareTo(b));
        var surplus = new int[memberCount];
        for (int rank = 0; rank < memberCount; rank++)
        {
            int member = order[rank];
            surplus[member] = board.CountOf(member) - (floor + (rank < heavies ? 1 : 0));
        }

        return surplus;
    }

    private static void AssignOrphans(ClaimBoard board, int[] surplus)
    {
        OrphanMatching.AssignMatched(board, surplus);
        for (int partition = 0; partition < board.PartitionCount; partition++)
        {
            if (board.OwnerOf(partition) >= 0)
            {
                continue;
            }

            int taker = -1;
            for (int member = 0; member < board.MemberCount; member++)
            {
                if (surplus[member] < 0 && board.CanPlace(member, partition) && (taker < 0 || surplus[member] < surplus[taker]))
                {
                    taker = member;
                }
            }

            if (taker < 0 && TryAssignThroughIntermediary(board, surplus, partition))
            {
                continue;
            }

            if (taker < 0)
            {
                // Nobody below target can hold it cleanly: the neediest takes it and repair follows.
                taker = Array.IndexOf(surplus, surplus.Min());
            }

            board.Assign(partition, taker);
            surplus[taker]++;
        }
    }

    /// <summary>
    /// An orphan no member below target can hold: a member at target takes it and passes one of
    /// its own partitions to a member below target (one extra move instead of a violation).
    /// </summary>
    private static bool TryAssignThroughIntermediary(ClaimBoard board, int[] surplus, int orphan)
    {
        int memberCount = board.MemberCount;
        Span<bool> canHoldOrphan = memberCount <= 1024 ? stackalloc bool[memberCount] : new bool[memberCount];
        for (int member = 0; member < memberCount; member++)
        {
            canHoldOrphan[member] = board.CanPlace(member, orphan);
        }

        for (int step = 1; step < board.PartitionCount; step++)
        {
            int partition = (orphan + step) & (board.PartitionCount - 1);
            int intermediary = board.OwnerOf(partition);
            if (intermediary < 0 || !canHoldOrphan[intermediary])
            {
                continue;
            }

            for (int taker = 0; taker < memberCount; taker++)
            {
                if (surplus[taker] < 0 && board.CanPlace(taker, partition))
                {
                    // The intermediary could hold the orphan before it gave this partition away, and giving
                    // a partition away never creates a conflict, so both placements are clean.
                    board.Assign(partition, taker);
                    board.Assign(orphan, intermediary);
                    surplus[taker]++;
                    return true;
                }
            }
        }

        return false;
    }

    private static void FillDeficits(ClaimBoard board, int[] surplus)
    {
        int partitionCount = board.PartitionCount;
        int mask = partitionCount - 1;
        var takers = new List<int>();
        for (int member = 0; member < board.MemberCount; member++)
        {
            if (surplus[member] < 0)
            {
                takers.Add(member);
            }
        }

        takers.Sort((a, b) => surplus[a] != surplus[b] ? surplus[a].CompareTo(surplus[b]) : a.CompareTo(b));
        foreach (int taker in takers)
        {
            int needed = -surplus[taker];
            int start = (int)((long)taker * partitionCount / board.MemberCount);
            for (int i = 0; i < needed; i++)
            {
                // Aim for evenly spaced partitions so the taker's share is spread around the ring.
                int ideal = (start + (int)((long)i * partitionCount / needed)) & mask;
                int window = Math.Max(1, partitionCount / needed / 2);
                int chosen = FindDonorPartition(board, surplus, taker, ideal, window, requireClean: true);
                if (chosen < 0)
                {
                    chosen = FindDonorPartition(board, surplus, taker, ideal, window, requireClean: false);
                }

                Debug.Assert(chosen >= 0, "while someone is below target, someone else is above it");
                surplus[board.OwnerOf(chosen)]--;
                board.Assign(chosen, taker);
                surplus[taker]++;
            }
        }
    }

    /// <summary>
    /// The donor partition nearest after <paramref name="from"/> for <paramref name="taker"/>. Within
    /// the first <paramref name="window"/> partitions the donor with the largest surplus wins, so
    /// donors give up partitions evenly and none runs dry where the taker still needs room.
    /// </summary>
    private static int FindDonorPartition(ClaimBoard board, int[] surplus, int taker, int from, int window, bool requireClean)
    {
        int mask = board.PartitionCount - 1;
        int best = -1;
        for (int step = 0; step < board.PartitionCount; step++)
        {
            int partition = (from + step) & mask;
            int owner = board.OwnerOf(partition);
            if (owner >= 0 && owner != taker && surplus[owner] > 0 && (!requireClean || board.CanPlace(taker, partition))
                && (best < 0 || surplus[owner] > surplus[board.OwnerOf(best)]))
            {
                best = partition;
            }

            if (best >= 0 && step + 1 >= window)
            {
                break;
            }
        }

        return best;
    }

    /// <summary>
    /// A fresh layout turned and relabelled to keep as many owners as it can. Layouts repeat
    /// roughly every M partitions, so trying the first 2M rotations finds the best alignment.
    /// </summary>
    private static int[] BestAlignedLayout(int partitionCount, int memberCount, int targetN, int[] original)
    {
        int[] layout = SequentialClaim.Build(partitionCount, memberCount, targetN);
        int[] best = Relabel(layout, original, memberCount);
        int bestKept = Kept(best, original);
        var turned = new int[partitionCount];
        for (int rotation = 1; rotation < Math.Min(partitionCount, 2 * memberCount); rotation++)
        {
            for (int partition = 0; partition < partitionCount; partition++)
            {
                turned[partition] = layout[(partition + rotation) & (partitionCount - 1)];
            }

            int[] candidate = Relabel(turned, original, memberCount);
            int kept = Kept(candidate, original);
            if (kept > bestKept)
            {
                (best, bestKept) = (candidate, kept);
            }
        }

        return best;
    }

    private static int Moves(int[] owners, int[] original) => owners.Length - Kept(owners, original);

    private static int Kept(int[] owners, int[] original)
    {
        int kept = 0;
        for (int partition = 0; partition < owners.Length; partition++)
        {
            kept += owners[partition] == original[partition] ? 1 : 0;
        }

        return kept;
    }

    /// <summary>
    /// Maps the labels of a fresh layout onto members so that as many partitions as possible keep
    /// their owner: the label-member pairs that share most partitions are matched first.
    /// </summary>
    private static int[] Relabel(int[] labels, int[] original, int memberCount)
    {
        var overlap = new Dictionary<long, int>();
        for (int partition = 0; partition < labels.Length; partition++)
        {
            if (original[partition] >= 0)
            {
                long pair = ((long)labels[partition] << 32) | (uint)original[partition];
                overlap[pair] = overlap.GetValueOrDefault(pair) + 1;
            }
        }

        var pairs = overlap.ToArray();
        Array.Sort(pairs, static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : a.Key.CompareTo(b.Key));
        var memberOfLabel = new int[memberCount];
        var labelTaken = new bool[memberCount];
        var memberTaken = new bool[memberCount];
        Array.Fill(memberOfLabel, -1);
        foreach (var (pair, _) in pairs)
        {
            int label = (int)(pair >> 32);
            int member = (int)(uint)pair;
            if (!labelTaken[label] && !memberTaken[member])
            {
                memberOfLabel[label] = member;
                labelTaken[label] = memberTaken[member] = true;
            }
        }

        int nextFree = 0;
        for (int label = 0; label < memberCount; label++)
        {
            if (memberOfLabel[label] >= 0)
            {
                continue;
            }

            while (memberTaken[nextFree])
            {
                nextFree++;
            }

            memberOfLabel[label] = nextFree;
            memberTaken[nextFree] = true;
        }

        var owners = new int[labels.Length];
        for (int partition = 0; partition < labels.Length; partition++)
        {
            owners[partition] = memberOfLabel[labels[partition]];
        }

        return owners;
    }

    private static int IndexOf(RingMember[] sortedMembers, string name)
    {
        int index = Array.BinarySearch(sortedMembers, new RingMember(name, MemberStatus.Valid), MemberNameComparer.Instance);
        return index >= 0 ? index : -1;
    }

    private sealed class MemberNameComparer : IComparer<RingMember>
    {
        public static readonly MemberNameComparer Instance = new();

        public int Compare(RingMember? x, RingMember? y) => string.CompareOrdinal(x!.Name, y!.Name);
    }
}
