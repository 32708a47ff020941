using RingCore.Ring;

namespace RingCore.TestKit.Checking;

/// <summary>
/// Checks a settled cluster after a membership run (issue 13): one ring everywhere, ownership as
/// claim promises it (docs/claim.md: balanced, and diverse with at least target_n members), no
/// transfer left, nothing held where the ring says it should not be (hinted and ownership handoff
/// finished), and each actor active on at most one node.
/// </summary>
internal static class SettledClusterChecker
{
    /// <summary>How many diversity breaks a violation lists before it counts the rest.</summary>
    private const int Listed = 3;

    public static void Check(SettledCluster settled, List<string> violations)
    {
        if (settled.NotSettled is { } why)
        {
            violations.Add($"settle: {why}");
        }

        if (settled.Ring is not { } ring)
        {
            violations.Add("settle: no node of the cluster is up to read the ring from");
            return;
        }

        CheckRings(settled, ring, violations);
        CheckOwnership(ring, settled.TargetN, violations);
        foreach (var misplaced in settled.Misplaced)
        {
            violations.Add($"handoff: {misplaced} once settled (a fallback's hints or a former owner's copies were not handed off)");
        }

        foreach (var (actor, nodes) in settled.Activations)
        {
            if (nodes.Count > 1)
            {
                violations.Add($"single activation: actor {actor} is active on {string.Join(" and ", nodes)} once settled");
            }
        }
    }

    private static void CheckRings(SettledCluster settled, RingState ring, List<string> violations)
    {
        string Describe(RingState r) => $"version {r.Version} [{string.Join(" ", r.Members.Select(m => m.Status == MemberStatus.Valid ? m.Name : $"{m.Name}:{m.Status}"))}]";

        foreach (var member in ring.Members)
        {
            if (!settled.Rings.ContainsKey(member.Name))
            {
                violations.Add($"ring: member {member.Name} is not up once settled (ring {Describe(ring)})");
            }
        }

        foreach (var (node, held) in settled.Rings)
        {
            if (held.ContentHash != ring.ContentHash || held.Version != ring.Version)
            {
                violations.Add($"ring: {node} holds ring {Describe(held)}, the cluster's is {Describe(ring)}");
            }
        }

        if (ring.Transfers.Length > 0)
        {
            var first = ring.Transfers[0];
            violations.Add($"ring: {ring.Transfers.Length} transfers pending once settled (first: partition {first.Partition} from {first.From} to {first.To}, {first.Kind})");
        }

        foreach (var member in ring.Members.Where(m => m.Status != MemberStatus.Valid))
        {
            violations.Add($"ring: {member.Name} is still {member.Status} once settled");
        }
    }

    /// <summary>Balance (each member owns floor or ceil of Q/M) and diversity (no member twice within target_n partitions, wrapping, when M >= target_n).</summary>
    private static void CheckOwnership(RingState ring, int targetN, List<string> violations)
    {
        int q = ring.PartitionCount, m = ring.Members.Length;
        int least = q / m, most = (q + m - 1) / m;
        var counts = ring.CountOwnedPartitions();
        for (int i = 0; i < m; i++)
        {
            if (counts[i] < least || counts[i] > most)
            {
                violations.Add($"balance: {ring.Members[i].Name} owns {counts[i]} of {q} partitions; with {m} members each should own {least} or {most}");
            }
        }

        if (m < targetN)
        {
            return; // claim cannot promise diversity with fewer members than target_n
        }

        var breaks = new List<string>();
        for (int p = 0; p < q; p++)
        {
            for (int d = 1; d < targetN; d++)
            {
                int other = (p + d) % q;
                if (ring.OwnerOf(p) == ring.OwnerOf(other))
                {
                    breaks.Add($"{ring.OwnerMemberOf(p).Name} owns {p} and {other}");
                }
            }
        }

        if (breaks.Count > 0)
        {
            violations.Add($"diversity: with {m} members and target_n {targetN}, {breaks.Count} pairs of partitions closer than target_n share an owner: "
                + string.Join("; ", breaks.Take(Listed)) + (breaks.Count > Listed ? "; ..." : ""));
        }
    }
}
