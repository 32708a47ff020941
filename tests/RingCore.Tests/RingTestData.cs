using FsCheck;
using FsCheck.Fluent;

namespace RingCore.Tests;

/// <summary>Generators and helpers shared by the ring, claim and preference tests.</summary>
internal static class RingTestData
{
    /// <summary>Ring sizes 8 .. 4096 (Q = 65536 is covered by fixed cases and the benchmark).</summary>
    public static Gen<int> PartitionCounts { get; } = Gen.Choose(3, 12).Select(bits => 1 << bits);

    public static string[] Names(int count, int first = 0) =>
        Enumerable.Range(first, count).Select(i => $"node-{i:D3}").ToArray();

    /// <summary>Pairs (p, p + d), 1 &lt;= d &lt; targetN, with the same owner: recomputed independently of the claim code.</summary>
    public static int Violations(ReadOnlySpan<int> owners, int targetN)
    {
        int count = 0;
        for (int p = 0; p < owners.Length; p++)
        {
            for (int d = 1; d < targetN && d < owners.Length; d++)
            {
                if (owners[p] == owners[(p + d) % owners.Length])
                {
                    count++;
                }
            }
        }

        return count;
    }

    public static bool IsBalanced(RingCore.Ring.RingState ring)
    {
        int q = ring.PartitionCount;
        int m = ring.Members.Length;
        foreach (int owned in ring.CountOwnedPartitions())
        {
            if (owned < q / m || owned > (q + m - 1) / m)
            {
                return false;
            }
        }

        return true;
    }
}
