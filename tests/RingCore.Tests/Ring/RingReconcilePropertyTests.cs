using FsCheck;
using FsCheck.Fluent;
using RingCore.Claim;
using RingCore.Ring;

namespace RingCore.Tests.Ring;

/// <summary>
/// Properties of <see cref="RingState.Reconcile"/> (issue 13, ring gossip) over random histories
/// of rings that several claimants evolved and gossip merged: the merge is commutative,
/// idempotent and associative in what it keeps, descends both sides, and gossip in any order
/// converges every node on one ring.
/// </summary>
public sealed class RingReconcilePropertyTests
{
    private static readonly string[] Names = ["n1", "n2", "n3", "n4"];

    /// <summary>A history: evolve a ring of the pool (by a member, with a random change) or merge two of them.</summary>
    private static Gen<int[][]> Histories { get; } =
        from count in Gen.Choose(1, 25)
        from steps in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 1000), 4), count)
        select steps;

    private static List<RingState> Pool(int[][] steps)
    {
        var pool = new List<RingState> { RingClaim.Initial(16, Names).Ring };
        var own = Names.ToDictionary(name => name, _ => pool[0]); // each claimant's latest ring
        foreach (var step in steps)
        {
            var source = pool[step[0] % pool.Count];
            if (step[1] % 3 == 0 && pool.Count > 1)
            {
                var other = pool[step[2] % pool.Count];
                pool.Add(RingState.Reconcile(source, other));
                continue;
            }

            // A claimant's change: move one partition to another member, maybe start a
            // transfer, maybe mark a member leaving. A claimant changes the ring it holds,
            // which has every change it made before (its counter never repeats), merged with
            // what gossip brought it.
            string by = Names[step[1] % Names.Length];
            source = RingState.Reconcile(own[by], source);
            var owners = Enumerable.Range(0, source.PartitionCount).Select(p => source.OwnerMemberOf(p).Name).ToArray();
            int partition = step[2] % owners.Length;
            owners[partition] = Names[step[3] % Names.Length];
            var members = source.Members.ToList();
            var transfers = new List<PendingTransfer>();
            if (step[3] % 2 == 0)
            {
                string to = Names[(step[3] / 2) % Names.Length];
                if (to != owners[(partition + 1) % owners.Length])
                {
                    transfers.Add(new PendingTransfer((partition + 1) % owners.Length, owners[(partition + 1) % owners.Length], to, TransferKind.Ownership));
                }
            }

            if (step[3] % 5 == 0)
            {
                int index = step[1] % members.Count;
                members[index] = members[index] with { Status = MemberStatus.Leaving };
            }

            own[by] = source.Evolve(by, members, owners, transfers);
            pool.Add(own[by]);
        }

        return pool;
    }

    private static bool Same(RingState a, RingState b) =>
        a.ContentHash == b.ContentHash && a.Version == b.Version
        && a.Vector.OrderBy(e => e.Key, StringComparer.Ordinal).SequenceEqual(b.Vector.OrderBy(e => e.Key, StringComparer.Ordinal));

    private static bool Descends(RingState a, RingState b) => b.Vector.All(entry => a.Vector.GetValueOrDefault(entry.Key) >= entry.Value);

    [RingProperty]
    public Property Reconcile_is_commutative_idempotent_and_associative_and_descends_both_rings()
    {
        return Prop.ForAll(Histories.ToArbitrary(), Gen.ArrayOf(Gen.Choose(0, 10_000), 3).ToArbitrary(), (steps, picks) =>
        {
            var pool = Pool(steps);
            var a = pool[picks[0] % pool.Count];
            var b = pool[picks[1] % pool.Count];
            var c = pool[picks[2] % pool.Count];
            var ab = RingState.Reconcile(a, b);

            Assert.True(Same(ab, RingState.Reconcile(b, a)), "reconcile(a, b) != reconcile(b, a)");
            Assert.True(Same(RingState.Reconcile(a, a), a), "reconcile(a, a) != a");
            Assert.True(Same(RingState.Reconcile(ab, c), RingState.Reconcile(a, RingState.Reconcile(b, c))), "reconcile is not associative");
            Assert.True(Descends(ab, a) && Descends(ab, b), "the merge does not descend both rings");
            Assert.True(Same(ab, a) || Same(ab, b) || ab.Supersedes(a) && ab.Supersedes(b), "the merge is neither side and supersedes neither");
            Assert.False(a.Supersedes(ab), "a ring supersedes its own merge: gossip would flip back and forth");
            return true;
        });
    }

    [RingProperty]
    public Property Gossip_in_any_order_converges_every_node_on_one_ring()
    {
        return Prop.ForAll(Histories.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (steps, seed) =>
        {
            var pool = Pool(steps);
            var random = new Random(seed);
            var nodes = Enumerable.Range(0, 5).Select(_ => pool[random.Next(pool.Count)]).ToArray();
            var expected = nodes.Aggregate(RingState.Reconcile); // one order

            // Push-pull gossip between random pairs until every node holds the same ring.
            for (int round = 0; round < 500 && nodes.Any(n => !Same(n, nodes[0])); round++)
            {
                int i = random.Next(nodes.Length), j = random.Next(nodes.Length);
                var merged = RingState.Reconcile(nodes[i], nodes[j]);
                nodes[i] = merged;
                nodes[j] = merged;
            }

            Assert.All(nodes, node => Assert.True(Same(node, nodes[0]), "gossip did not converge"));
            Assert.True(Same(nodes[0], expected), "gossip converged on another ring than the merge of all of them");
            return true;
        });
    }

    [Fact]
    public void Rings_of_different_clusters_do_not_merge()
    {
        var first = RingClaim.Initial(16, ["n1", "n2"]).Ring;
        var second = RingClaim.Initial(16, ["n1", "n3"]).Ring;
        Assert.NotEqual(first.ClusterId, second.ClusterId);
        Assert.Contains("different clusters", Assert.Throws<ArgumentException>(() => RingState.Reconcile(first, second)).Message);
    }

    [Fact]
    public void A_ring_a_claimant_evolved_supersedes_its_parent_and_a_concurrent_change_is_merged_deterministically()
    {
        var start = RingClaim.Initial(16, Names).Ring;
        string[] Owners(RingState ring) => [.. Enumerable.Range(0, 16).Select(p => ring.OwnerMemberOf(p).Name)];
        var byN1 = start.Evolve("n1", start.Members, Owners(start), [new PendingTransfer(3, start.OwnerMemberOf(3).Name, start.OwnerMemberOf(4).Name, TransferKind.Ownership)]);
        var byN2 = start.Evolve("n2", start.Members.Select(m => m.Name == "n4" ? m with { Status = MemberStatus.Leaving } : m), Owners(start), []);

        Assert.True(byN1.Supersedes(start));
        Assert.False(start.Supersedes(byN1));
        Assert.Equal(1, byN1.Vector["n1"]);
        var merged = RingState.Reconcile(byN1, byN2);
        Assert.Equal(1, merged.Vector["n1"]);
        Assert.Equal(1, merged.Vector["n2"]);
        Assert.True(merged.ContentHash == byN1.ContentHash || merged.ContentHash == byN2.ContentHash);
    }
}
