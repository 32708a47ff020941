namespace RingCore.Claim;

/// <summary>
/// Hands the partitions of departing members ("orphans") to members below target by a maximum
/// bipartite matching: orphans on one side, takers with capacity equal to their deficit on the
/// other, an edge where the taker can hold the orphan without breaking diversity. A greedy pass
/// in ring order strands orphans whose only clean takers were used up earlier; augmenting paths
/// (Kuhn's algorithm) re-route earlier choices instead, so every orphan that can move cleanly does.
/// </summary>
/// <remarks>
/// Orphans of one departing member in a diverse ring are at least target_n apart, so whether a
/// taker fits one orphan does not depend on who takes the others, and the matching is exact.
/// When several members depart at once their orphans can be close; the diversity repair that
/// follows the claim covers that case.
/// </remarks>
internal sealed class OrphanMatching
{
    private readonly ClaimBoard _board;
    private readonly int[] _orphans;
    private readonly int[][] _takersOf;
    private readonly int[] _takerOf;
    private readonly List<int>[] _held;
    private readonly int[] _capacity;
    private readonly bool[] _visited;

    private OrphanMatching(ClaimBoard board, int[] surplus, int[] orphans)
    {
        _board = board;
        _orphans = orphans;
        _capacity = new int[board.MemberCount];
        _held = new List<int>[board.MemberCount];
        _visited = new bool[board.MemberCount];
        _takerOf = new int[orphans.Length];
        Array.Fill(_takerOf, -1);
        var candidates = new List<int>();
        for (int member = 0; member < board.MemberCount; member++)
        {
            _capacity[member] = Math.Max(0, -surplus[member]);
            _held[member] = [];
            if (_capacity[member] > 0)
            {
                candidates.Add(member);
            }
        }

        // Neediest takers first, so the matching prefers spreading the orphans over the largest deficits.
        candidates.Sort((a, b) => _capacity[a] != _capacity[b] ? _capacity[b].CompareTo(_capacity[a]) : a.CompareTo(b));
        _takersOf = new int[orphans.Length][];
        var fit = new List<int>();
        for (int i = 0; i < orphans.Length; i++)
        {
            fit.Clear();
            foreach (int member in candidates)
            {
                if (board.CanPlace(member, orphans[i]))
                {
                    fit.Add(member);
                }
            }

            _takersOf[i] = fit.ToArray();
        }
    }

    /// <summary>Assigns every orphan that a maximum matching can place cleanly; updates <paramref name="surplus"/>.</summary>
    public static void AssignMatched(ClaimBoard board, int[] surplus)
    {
        var orphans = new List<int>();
        for (int partition = 0; partition < board.PartitionCount; partition++)
        {
            if (board.OwnerOf(partition) < 0)
            {
                orphans.Add(partition);
            }
        }

        if (orphans.Count == 0)
        {
            return;
        }

        var matching = new OrphanMatching(board, surplus, orphans.ToArray());
        for (int i = 0; i < matching._orphans.Length; i++)
        {
            Array.Clear(matching._visited);
            matching.Augment(i);
        }

        for (int i = 0; i < matching._orphans.Length; i++)
        {
            int taker = matching._takerOf[i];
            if (taker >= 0)
            {
                board.Assign(matching._orphans[i], taker);
                surplus[taker]++;
            }
        }
    }

    private bool Augment(int orphan)
    {
        foreach (int taker in _takersOf[orphan])
        {
            if (_visited[taker])
            {
                continue;
            }

            _visited[taker] = true;
            if (_held[taker].Count < _capacity[taker])
            {
                Take(taker, orphan);
                return true;
            }

            var held = _held[taker];
            for (int j = 0; j < held.Count; j++)
            {
                int other = held[j];
                if (Augment(other))
                {
                    // 'other' found a new taker; this orphan takes its place.
                    held.Remove(other);
                    Take(taker, orphan);
                    return true;
                }
            }
        }

        return false;
    }

    private void Take(int taker, int orphan)
    {
        _held[taker].Add(orphan);
        _takerOf[orphan] = taker;
    }
}
