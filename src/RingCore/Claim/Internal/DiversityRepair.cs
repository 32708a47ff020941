namespace RingCore.Claim;

/// <summary>
/// Removes diversity violations by swapping the owners of two partitions. A swap keeps every
/// member's count, so balance is untouched, and it is taken only when both new placements are
/// clean, so each swap strictly lowers the violation count and the repair always ends. Among the
/// clean swaps the one that moves fewest partitions away from their original owners wins, in the
/// spirit of riak_core_claim_swapping (Riak 3.0's claim, which also searches swaps).
/// </summary>
internal static class DiversityRepair
{
    /// <summary>Swaps until no conflicting partition has a clean swap left.</summary>
    /// <param name="board">The ownership to repair, balanced already.</param>
    /// <param name="original">Owners before the claim (-1 where the owner departs), to count moves.</param>
    public static void Run(ClaimBoard board, int[] original)
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int partition = 0; partition < board.PartitionCount; partition++)
            {
                if (board.HasConflict(partition) && TrySwap(board, original, partition))
                {
                    changed = true;
                }
            }
        }
    }

    private static bool TrySwap(ClaimBoard board, int[] original, int partition)
    {
        int count = board.PartitionCount;
        int mask = count - 1;
        int member = board.OwnerOf(partition);
        int bestPartner = -1;
        int bestCost = int.MaxValue;
        for (int step = 1; step < count; step++)
        {
            int partner = (partition + step) & mask;
            int other = board.OwnerOf(partner);
            if (other == member || other < 0)
            {
                continue;
            }

            board.Assign(partition, other);
            board.Assign(partner, member);
            bool clean = board.CanPlace(other, partition) && board.CanPlace(member, partner);
            board.Assign(partner, other);
            board.Assign(partition, member);
            if (!clean)
            {
                continue;
            }

            int cost = Moved(other, original[partition]) + Moved(member, original[partner])
                - Moved(member, original[partition]) - Moved(other, original[partner]);
            if (cost < bestCost)
            {
                bestCost = cost;
                bestPartner = partner;
                if (cost <= 0)
                {
                    break; // Moves nothing new; a better swap would only undo earlier moves.
                }
            }
        }

        if (bestPartner < 0)
        {
            return false;
        }

        int partnerOwner = board.OwnerOf(bestPartner);
        board.Assign(bestPartner, member);
        board.Assign(partition, partnerOwner);
        return true;
    }

    private static int Moved(int owner, int originalOwner) => owner != originalOwner ? 1 : 0;
}
