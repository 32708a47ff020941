using BenchmarkDotNet.Attributes;
using RingCore.AntiEntropy;
using RingCore.Storage;

namespace RingCore.Benchmarks.AntiEntropy;

/// <summary>
/// Building a Merkle tree of a million keys (issue 14): from (key, object hash) pairs in memory,
/// and the way a vnode builds its trees, <see cref="VNodeHashTrees.BuildAsync"/> over a fold of
/// a <see cref="MemoryVNodeStore"/> holding a million 103-byte stored sets (hashing every
/// object, finding every key's N, taking the lock once per 256 keys).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(AntiEntropyBenchmarkConfig))]
public class HashTreeBuildBenchmarks
{
    private byte[][] _keys = [];
    private ulong[] _hashes = [];
    private MemoryVNodeStore _store = null!;

    /// <summary>Makes the keys, their hashes and the store, outside the measured time.</summary>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _keys = AntiEntropyData.Keys(0, AntiEntropyData.TreeKeys);
        var random = new Random(42);
        _hashes = [.. _keys.Select(_ => (ulong)random.NextInt64())];
        _store = new MemoryVNodeStore(0);
        foreach (var key in _keys)
        {
            await _store.PutAsync(key, new StoredObject(AntiEntropyData.ObjectOf(key, 1)));
        }
    }

    /// <summary>A tree from a million (key, object hash) pairs.</summary>
    [Benchmark]
    public ulong BuildFromEntries()
    {
        var tree = new HashTree();
        for (int i = 0; i < _keys.Length; i++)
        {
            tree.Set(_keys[i], _hashes[i]);
        }

        return tree.Root;
    }

    /// <summary>A vnode's trees from a fold of its store of a million objects.</summary>
    [Benchmark]
    public async Task<int> BuildFromStoreFold()
    {
        var trees = new VNodeHashTrees(0, static _ => 3, static (_, _, _) => { }, enabled: true);
        if (!await trees.BuildAsync(_store.FoldAsync(), static () => DateTimeOffset.UnixEpoch, CancellationToken.None) || trees.CountOf(3) != _keys.Length)
        {
            throw new InvalidOperationException("the build did not hold every key");
        }

        return trees.CountOf(3);
    }
}
