namespace RingCore.Tests.Claim;

/// <summary>
/// Lower bounds on the partitions a balanced, diverse claim must move, computed independently of
/// the claim code, to tell moves that diversity forces from moves the claim chose.
/// </summary>
/// <remarks>
/// Both bounds maximise the partitions that keep their owner (Q minus the moves).
/// With exactly target_n members every window of target_n holds all of them, so owner(p + target_n)
/// = owner(p): the layout is a bijection of members to residues mod target_n and the best one is
/// found by trying all bijections (exact). For other member counts the bound is a Lagrangian
/// relaxation of balance: a dynamic programme over the last target_n - 1 owners finds the
/// diverse sequence that keeps most owners when member m pays lambda_m per partition, and the
/// multipliers are tuned by subgradient steps; every lambda gives a valid bound.
/// </remarks>
internal static class MovementLowerBound
{
    /// <summary>The most partitions a balanced, diverse layout over exactly target_n members can keep.</summary>
    /// <param name="original">Owner of each partition before the change, as a new member index, or -1.</param>
    /// <param name="targetN">The diversity window, equal to the member count.</param>
    public static int MostKeptPeriodic(int[] original, int targetN)
    {
        var overlap = new int[targetN, targetN];
        for (int p = 0; p < original.Length; p++)
        {
            if (original[p] >= 0)
            {
                overlap[original[p], p % targetN]++;
            }
        }

        int best = 0;
        var used = new bool[targetN];
        Search(0, 0);
        return best;

        void Search(int member, int kept)
        {
            if (member == targetN)
            {
                best = Math.Max(best, kept);
                return;
            }

            for (int residue = 0; residue < targetN; residue++)
            {
                if (!used[residue])
                {
                    used[residue] = true;
                    Search(member + 1, kept + overlap[member, residue]);
                    used[residue] = false;
                }
            }
        }
    }

    /// <summary>
    /// An upper bound on the partitions any balanced layout over <paramref name="memberCount"/>
    /// members, diverse at target_n 4, can keep. The wrap is enforced exactly for Q up to 32 and
    /// relaxed above (the bound stays valid, a few partitions looser). Stops early once the bound
    /// reaches <paramref name="stopAt"/>.
    /// </summary>
    public static int MostKeptDiverse(int[] original, int memberCount, int stopAt, int iterations = 80)
    {
        int q = original.Length;
        int floor = q / memberCount;
        int heavies = q % memberCount;
        var lambda = new double[memberCount];
        var counts = new int[memberCount];
        double best = double.MaxValue;
        double theta = 1.0;
        int sinceImproved = 0;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            double value = Relaxed(original, memberCount, lambda, counts, cyclic: q <= 32);
            var order = Enumerable.Range(0, memberCount).OrderByDescending(m => lambda[m]).ToArray();
            var target = new int[memberCount];
            for (int rank = 0; rank < memberCount; rank++)
            {
                target[order[rank]] = floor + (rank < heavies ? 1 : 0);
                value += lambda[order[rank]] * target[order[rank]];
            }

            if (value < best - 1e-9)
            {
                best = value;
                sinceImproved = 0;
            }
            else if (++sinceImproved >= 5)
            {
                theta /= 2;
                sinceImproved = 0;
            }

            if (Math.Floor(best + 1e-9) <= stopAt)
            {
                break;
            }

            double norm = 0;
            for (int m = 0; m < memberCount; m++)
            {
                norm += (double)(target[m] - counts[m]) * (target[m] - counts[m]);
            }

            if (norm == 0)
            {
                break; // The relaxed optimum is balanced: the bound is exact.
            }

            double step = theta * Math.Max(1, value - stopAt) / norm;
            for (int m = 0; m < memberCount; m++)
            {
                lambda[m] -= step * (target[m] - counts[m]);
            }
        }

        return (int)Math.Floor(best + 1e-9);
    }

    /// <summary>max over diverse sequences of kept - sum lambda_owner, with the owner counts of the best.</summary>
    private static double Relaxed(int[] original, int m, double[] lambda, int[] counts, bool cyclic)
    {
        int q = original.Length;
        int states = m * m * m;
        double best = double.NegativeInfinity;
        int[]? bestSequence = null;
        var starts = new List<int>();
        for (int s = 0; s < states; s++)
        {
            if (Distinct(s / (m * m), s / m % m, s % m))
            {
                starts.Add(s);
            }
        }

        var value = new double[states];
        var next = new double[states];
        var from = new int[q, states];
        foreach (int start in cyclic ? starts : [-1])
        {
            Array.Fill(value, double.NegativeInfinity);
            foreach (int s in starts)
            {
                if (start < 0 || s == start)
                {
                    int a = s / (m * m), b = s / m % m, c = s % m;
                    value[s] = Gain(0, a) + Gain(1, b) + Gain(2, c);
                }
            }

            for (int p = 3; p < q; p++)
            {
                Array.Fill(next, double.NegativeInfinity);
                foreach (int s in starts)
                {
                    if (double.IsNegativeInfinity(value[s]))
                    {
                        continue;
                    }

                    int a = s / (m * m), b = s / m % m, c = s % m;
                    for (int x = 0; x < m; x++)
                    {
                        if (x == a || x == b || x == c)
                        {
                            continue;
                        }

                        int t = (b * m + c) * m + x;
                        double v = value[s] + Gain(p, x);
                        if (v > next[t])
                        {
                            next[t] = v;
                            from[p, t] = s;
                        }
                    }
                }

                (value, next) = (next, value);
            }

            foreach (int s in starts)
            {
                if (double.IsNegativeInfinity(value[s]))
                {
                    continue;
                }

                if (start >= 0)
                {
                    int a = s / (m * m), b = s / m % m, c = s % m;
                    int x = start / (m * m), y = start / m % m, z = start % m;
                    if (!Distinct4(a, b, c, x) || !Distinct4(b, c, x, y) || !Distinct4(c, x, y, z))
                    {
                        continue;
                    }
                }

                if (value[s] > best)
                {
                    best = value[s];
                    bestSequence = Trace(s);
                }
            }
        }

        Array.Clear(counts);
        foreach (int owner in bestSequence!)
        {
            counts[owner]++;
        }

        return best;

        double Gain(int p, int x) => (original[p] == x ? 1 : 0) - lambda[x];

        int[] Trace(int last)
        {
            var sequence = new int[q];
            int s = last;
            for (int p = q - 1; p >= 3; p--)
            {
                sequence[p] = s % m;
                s = from[p, s];
            }

            sequence[0] = s / (m * m);
            sequence[1] = s / m % m;
            sequence[2] = s % m;
            return sequence;
        }

        static bool Distinct(int a, int b, int c) => a != b && b != c && a != c;

        static bool Distinct4(int a, int b, int c, int d) => Distinct(a, b, c) && d != a && d != b && d != c;
    }
}
