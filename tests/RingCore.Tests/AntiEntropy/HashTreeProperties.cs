using System.Buffers.Binary;
using System.IO.Hashing;
using FsCheck;
using FsCheck.Fluent;
using RingCore.AntiEntropy;
using RingCore.Protocol;
using RingCore.Storage;
using RingCore.Tests.Causality;

namespace RingCore.Tests.AntiEntropy;

/// <summary>
/// The Merkle tree of anti-entropy (issue 14) over random keys: every node's hash is a function
/// of the final (key, object hash) set alone, whatever sequence of sets and removes led there;
/// the tree holds exactly that set; a comparison of two trees finds exactly the keys that
/// differ, asking only about the nodes that differ (identical trees: the roots alone), the same
/// through <see cref="RemoteTree"/>'s protobuf frames; and a segment diff is the symmetric
/// difference of its two sides.
/// </summary>
public sealed class HashTreeProperties
{
    private const int KeyPool = 40;

    /// <summary>A pool of distinct keys of 0 to 30 bytes, and random sets and removes on them.</summary>
    private static Gen<(byte[][] Keys, Operation[] Operations)> Histories { get; } =
        from keys in Gen.ArrayOf(Gen.Choose(0, 30).SelectMany(length => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), length)), KeyPool)
            .Where(keys => keys.Distinct(ByteKeyComparer.Instance).Count() == KeyPool)
        from length in Gen.Choose(0, 120)
        from operations in Gen.ArrayOf(Operations, length)
        select (keys, operations);

    private static Gen<Operation> Operations { get; } =
        from remove in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from key in Gen.Choose(0, KeyPool - 1)
        from objectHash in Gen.Frequency(
            (2, Gen.Choose(0, 2).Select(hash => (ulong)hash)),
            (3, ArbMap.Default.GeneratorFor<ulong>()))
        select new Operation(remove, key, objectHash);

    /// <summary>Two trees' key sets: mostly shared, some object hashes changed, some keys on one side only; sometimes thousands of keys.</summary>
    private static Gen<PairScenario> Pairs { get; } =
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        from shared in Gen.Frequency((4, Gen.Choose(0, 60)), (1, Gen.Choose(500, 3_000)))
        from changed in Gen.Frequency((3, Gen.Choose(0, 5)), (1, Gen.Choose(0, 700)))
        from onlyLocal in Gen.Frequency((3, Gen.Choose(0, 5)), (1, Gen.Choose(0, 400)))
        from onlyRemote in Gen.Frequency((3, Gen.Choose(0, 5)), (1, Gen.Choose(0, 400)))
        select new PairScenario(seed, shared, Math.Min(changed, shared), onlyLocal, onlyRemote);

    [RingProperty]
    public Property Every_node_hash_depends_only_on_the_final_entries()
    {
        return Prop.ForAll(Histories.ToArbitrary(), history =>
        {
            var (tree, final) = Replay(history.Keys, history.Operations);

            // The same entries written directly, in the opposite order of the final map's.
            var direct = new HashTree();
            foreach (var (key, objectHash) in final.Reverse())
            {
                direct.Set(key, objectHash);
            }

            for (int level = 0; level <= HashTree.Depth; level++)
            {
                for (int index = 0; index < 1 << (4 * level); index++)
                {
                    CausalityTestData.Require(tree.HashOf(level, index) == direct.HashOf(level, index),
                        $"node {index} of level {level} differs between the history's tree and the final entries' ({history.Operations.Length} operations)");
                }
            }

            // And the hashes are the XOR of the entry hashes, as the tree's documentation says.
            var segments = new Dictionary<int, ulong>();
            ulong root = 0;
            foreach (var (key, objectHash) in final)
            {
                ulong keyHash = XxHash3.HashToUInt64(key);
                ulong entry = EntryHash(keyHash, objectHash);
                root ^= entry;
                int segment = (int)(keyHash >> 48);
                segments[segment] = segments.GetValueOrDefault(segment) ^ entry;
            }

            CausalityTestData.Require(tree.Root == root, "the root is not the XOR of the entry hashes");
            foreach (var (segment, hash) in segments)
            {
                CausalityTestData.Require(tree.HashOf(HashTree.Depth, segment) == hash, $"segment {segment} is not the XOR of its entries' hashes");
            }

            return true;
        });
    }

    [RingProperty]
    public Property Count_entries_and_lookups_equal_the_final_map()
    {
        return Prop.ForAll(Histories.ToArbitrary(), history =>
        {
            var (tree, final) = Replay(history.Keys, history.Operations);

            CausalityTestData.Require(tree.Count == final.Count, $"the tree counts {tree.Count} keys, the history leaves {final.Count}");
            var entries = tree.Entries().ToList();
            CausalityTestData.Require(entries.Count == final.Count, $"Entries() lists {entries.Count} entries for {final.Count} keys");
            foreach (var (key, objectHash) in entries)
            {
                CausalityTestData.Require(final.TryGetValue(key, out ulong expected) && expected == objectHash,
                    $"Entries() lists a key with object hash {objectHash} that the history leaves with {(final.ContainsKey(key) ? final[key] : "none")}");
            }

            foreach (var key in history.Keys)
            {
                bool found = tree.TryGet(key, out ulong objectHash);
                CausalityTestData.Require(found == final.ContainsKey(key) && (!found || objectHash == final[key]),
                    $"TryGet of a {key.Length}-byte key found {found} ({objectHash}), the history leaves {(final.ContainsKey(key) ? final[key] : "none")}");
                CausalityTestData.Require(found || objectHash == 0, "a missing key's object hash is 0");
            }

            return true;
        });
    }

    [RingProperty]
    public Property A_comparison_finds_exactly_the_differing_keys_and_asks_only_about_differing_nodes()
    {
        return Prop.ForAll(Pairs.ToArbitrary(), scenario =>
        {
            var (localEntries, remoteEntries) = scenario.Build();
            var local = TreeOf(localEntries);
            var remote = TreeOf(remoteEntries);
            var localSide = new InMemoryTreeSide(local);
            var remoteSide = new InMemoryTreeSide(remote);

            var differences = TreeComparison.CompareAsync(localSide, remoteSide, CancellationToken.None).GetAwaiter().GetResult();

            CausalityTestData.Require(differences is not null, "two ready trees compared as not ready");
            RequireExactly(differences!, Expected(localEntries, remoteEntries), scenario.ToString());

            // Both sides are asked the same questions: about the children of every inner node
            // whose hash differs and of no other, then about every differing segment.
            for (int level = 0; level < HashTree.Depth; level++)
            {
                var differing = DifferingNodes(local, remote, level);
                CausalityTestData.Require(localSide.ParentsAsked[level].SequenceEqual(differing) && remoteSide.ParentsAsked[level].SequenceEqual(differing),
                    $"at level {level}, {differing.Count} nodes differ but {localSide.ParentsAsked[level].Count} were asked about ({scenario})");
            }

            var segments = DifferingNodes(local, remote, HashTree.Depth);
            CausalityTestData.Require(localSide.SegmentsAsked.SequenceEqual(segments) && remoteSide.SegmentsAsked.SequenceEqual(segments),
                $"{segments.Count} segments differ but {localSide.SegmentsAsked.Count} were asked for ({scenario})");
            int expectedChildrenCalls = Enumerable.Range(0, HashTree.Depth)
                .Sum(level => Chunks(DifferingNodes(local, remote, level).Count, TreeComparison.ParentsPerRequest));
            CausalityTestData.Require(localSide.ChildrenCalls == expectedChildrenCalls && remoteSide.ChildrenCalls == expectedChildrenCalls,
                $"{localSide.ChildrenCalls} children requests where {expectedChildrenCalls} suffice ({scenario})");
            CausalityTestData.Require(localSide.SegmentsCalls == Chunks(segments.Count, TreeComparison.SegmentsPerRequest),
                $"{localSide.SegmentsCalls} segment requests for {segments.Count} segments ({scenario})");
            return true;
        });
    }

    [RingProperty]
    public Property A_comparison_through_remote_frames_finds_what_an_in_memory_one_finds()
    {
        return Prop.ForAll(Pairs.ToArbitrary(), scenario =>
        {
            var (localEntries, remoteEntries) = scenario.Build();
            var local = TreeOf(localEntries);
            var remoteTree = TreeOf(remoteEntries);
            var remote = new RemoteTree("peer", new TreeId { Partition = 7, N = 3 }, TreeLoopback.Serving(remoteTree));

            var differences = TreeComparison.CompareAsync(new InMemoryTreeSide(local), remote, CancellationToken.None).GetAwaiter().GetResult();

            CausalityTestData.Require(differences is not null, "a ready peer compared as not ready");
            RequireExactly(differences!, Expected(localEntries, remoteEntries), scenario.ToString());

            var counter = new InMemoryTreeSide(local);
            TreeComparison.CompareAsync(counter, new InMemoryTreeSide(remoteTree), CancellationToken.None).GetAwaiter().GetResult();
            CausalityTestData.Require(remote.Requests == counter.RootCalls + counter.ChildrenCalls + counter.SegmentsCalls,
                $"{remote.Requests} requests to the peer for {counter.RootCalls + counter.ChildrenCalls + counter.SegmentsCalls} questions");
            CausalityTestData.Require(remote.Bytes > 0 && remote.Refusal == TreeStatus.TreeReady, "the frames' bytes are counted");
            return true;
        });
    }

    [RingProperty]
    public Property Identical_trees_compare_with_the_roots_alone()
    {
        var input =
            from history in Histories
            from length in Gen.Choose(0, 40)
            from extra in Gen.ArrayOf(Operations, length)
            select (history, extra);

        return Prop.ForAll(input.ToArbitrary(), x =>
        {
            // One tree from the history, the other from the same final entries reached by a
            // longer history (more sets and removes, then the final entries written back).
            var (tree, final) = Replay(x.history.Keys, x.history.Operations);
            var (other, _) = Replay(x.history.Keys, [.. x.history.Operations, .. x.extra]);
            foreach (var key in x.history.Keys)
            {
                if (final.TryGetValue(key, out ulong objectHash))
                {
                    other.Set(key, objectHash);
                }
                else
                {
                    other.Remove(key);
                }
            }

            var local = new InMemoryTreeSide(tree);
            var remote = new InMemoryTreeSide(other);
            var differences = TreeComparison.CompareAsync(local, remote, CancellationToken.None).GetAwaiter().GetResult();

            CausalityTestData.Require(differences is { Count: 0 }, $"identical trees differ on {differences?.Count} keys");
            CausalityTestData.Require(local.RootCalls == 1 && remote.RootCalls == 1, "each root is asked for once");
            CausalityTestData.Require(local.ChildrenCalls + remote.ChildrenCalls + local.SegmentsCalls + remote.SegmentsCalls == 0,
                "identical trees were asked about more than their roots");
            return true;
        });
    }

    [RingProperty]
    public Property A_segment_diff_is_exactly_the_symmetric_difference()
    {
        // Key hashes from a small pool so both sides share many; object hashes from a tiny one
        // so shared keys often agree. Each side holds a key at most once, sorted by key hash.
        var side = Gen.Choose(0, 25).SelectMany(length => Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 30), Gen.Choose(0, 2)), length))
            .Select(entries => entries.DistinctBy(entry => entry.Item1)
                .Select(entry => new SegmentEntry(KeyHashFrom(entry.Item1), (ulong)entry.Item2))
                .Order(SegmentEntry.ByKeyHash)
                .ToList());

        return Prop.ForAll(Gen.Zip(side, side).ToArbitrary(), sides =>
        {
            var (local, remote) = sides;
            var differences = new List<KeyDifference>();
            TreeComparison.Diff(local, remote, differences);

            var mine = local.ToDictionary(entry => entry.KeyHash, entry => entry.ObjectHash);
            var theirs = remote.ToDictionary(entry => entry.KeyHash, entry => entry.ObjectHash);
            var expected = mine.Keys.Union(theirs.Keys)
                .Select(key => new KeyDifference(key, mine.ContainsKey(key) ? mine[key] : null, theirs.ContainsKey(key) ? theirs[key] : null))
                .Where(difference => difference.Local != difference.Remote)
                .OrderBy(difference => difference.KeyHash)
                .ToList();

            CausalityTestData.Require(differences.SequenceEqual(expected),
                $"diff gave [{string.Join(", ", differences)}], the symmetric difference is [{string.Join(", ", expected)}]");
            return true;
        });
    }

    private static (HashTree Tree, Dictionary<byte[], ulong> Final) Replay(byte[][] keys, Operation[] operations)
    {
        var tree = new HashTree();
        var final = new Dictionary<byte[], ulong>(ByteKeyComparer.Instance);
        foreach (var operation in operations)
        {
            var key = keys[operation.Key];
            if (operation.Remove)
            {
                bool removed = tree.Remove(key);
                CausalityTestData.Require(removed == final.Remove(key), "Remove said the key was there when it was not, or the reverse");
            }
            else
            {
                tree.Set(key, operation.ObjectHash);
                final[key] = operation.ObjectHash;
            }
        }

        return (tree, final);
    }

    private static HashTree TreeOf(Dictionary<byte[], ulong> entries)
    {
        var tree = new HashTree();
        foreach (var (key, objectHash) in entries)
        {
            tree.Set(key, objectHash);
        }

        return tree;
    }

    /// <summary>The differences by key hash, as the two key sets define them.</summary>
    private static Dictionary<ulong, KeyDifference> Expected(Dictionary<byte[], ulong> local, Dictionary<byte[], ulong> remote)
    {
        var expected = new Dictionary<ulong, KeyDifference>();
        foreach (var (key, objectHash) in local)
        {
            if (!remote.TryGetValue(key, out ulong other) || other != objectHash)
            {
                ulong keyHash = HashTree.KeyHashOf(key);
                expected[keyHash] = new KeyDifference(keyHash, objectHash, remote.ContainsKey(key) ? other : null);
            }
        }

        foreach (var (key, objectHash) in remote)
        {
            if (!local.ContainsKey(key))
            {
                ulong keyHash = HashTree.KeyHashOf(key);
                expected[keyHash] = new KeyDifference(keyHash, null, objectHash);
            }
        }

        return expected;
    }

    private static void RequireExactly(List<KeyDifference> differences, Dictionary<ulong, KeyDifference> expected, string scenario)
    {
        CausalityTestData.Require(differences.Count == expected.Count && differences.Select(difference => difference.KeyHash).Distinct().Count() == differences.Count,
            $"{differences.Count} differences found, {expected.Count} expected ({scenario})");
        foreach (var difference in differences)
        {
            CausalityTestData.Require(expected.TryGetValue(difference.KeyHash, out var wanted) && wanted == difference,
                $"found {difference}, expected {(expected.TryGetValue(difference.KeyHash, out var w) ? w.ToString() : "no difference for that key")} ({scenario})");
        }
    }

    /// <summary>The nodes of <paramref name="level"/> whose hashes differ, in index order.</summary>
    private static List<int> DifferingNodes(HashTree local, HashTree remote, int level)
    {
        var differing = new List<int>();
        for (int index = 0; index < 1 << (4 * level); index++)
        {
            if (local.HashOf(level, index) != remote.HashOf(level, index))
            {
                differing.Add(index);
            }
        }

        return differing;
    }

    private static int Chunks(int count, int size) => (count + size - 1) / size;

    /// <summary>The entry hash as the tree's documentation defines it: XXH3 of the key hash and the object hash, little-endian.</summary>
    private static ulong EntryHash(ulong keyHash, ulong objectHash)
    {
        Span<byte> pair = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(pair, keyHash);
        BinaryPrimitives.WriteUInt64LittleEndian(pair[8..], objectHash);
        return XxHash3.HashToUInt64(pair);
    }

    /// <summary>Spreads a small number over the 64 bits so the pool's hashes are not all in one corner.</summary>
    private static ulong KeyHashFrom(int n) => (ulong)n * 0x9E3779B97F4A7C15UL;

    private readonly record struct Operation(bool Remove, int Key, ulong ObjectHash);

    /// <summary>How two trees' key sets relate; <see cref="Build"/> makes them from <see cref="Seed"/>.</summary>
    private sealed record PairScenario(int Seed, int Shared, int Changed, int OnlyLocal, int OnlyRemote)
    {
        public (Dictionary<byte[], ulong> Local, Dictionary<byte[], ulong> Remote) Build()
        {
            var random = new Random(Seed);
            var local = new Dictionary<byte[], ulong>(ByteKeyComparer.Instance);
            var remote = new Dictionary<byte[], ulong>(ByteKeyComparer.Instance);
            var shared = new List<byte[]>();
            for (int i = 0; i < Shared; i++)
            {
                var key = NewKey(random, local, remote);
                ulong objectHash = (ulong)random.NextInt64();
                local[key] = objectHash;
                remote[key] = objectHash;
                shared.Add(key);
            }

            foreach (var key in shared.OrderBy(_ => random.Next()).Take(Changed))
            {
                remote[key] = (ulong)random.NextInt64();
            }

            for (int i = 0; i < OnlyLocal; i++)
            {
                local[NewKey(random, local, remote)] = (ulong)random.NextInt64();
            }

            for (int i = 0; i < OnlyRemote; i++)
            {
                remote[NewKey(random, local, remote)] = (ulong)random.NextInt64();
            }

            return (local, remote);
        }

        private static byte[] NewKey(Random random, Dictionary<byte[], ulong> local, Dictionary<byte[], ulong> remote)
        {
            while (true)
            {
                var key = new byte[random.Next(1, 31)];
                random.NextBytes(key);
                if (!local.ContainsKey(key) && !remote.ContainsKey(key))
                {
                    return key;
                }
            }
        }
    }
}
