using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using RingCore.AntiEntropy;
using RingCore.Storage;

namespace RingCore.Benchmarks.AntiEntropy;

/// <summary>
/// What a write costs the Merkle tree of anti-entropy (issue 14), in a tree of a million keys:
/// replacing an existing key's object hash, inserting a new key, hashing a 1 KiB stored object
/// (the other half of every write), and the whole update a vnode makes on a write
/// (<see cref="VNodeHashTrees.Written"/>: the object's hash, the key's N, the lock and the set).
/// </summary>
/// <remarks>
/// Each benchmark runs a batch of <see cref="Batch"/> operations on keys spread over the whole
/// tree (every 61st key for the existing ones), so the figures are per operation with cold-ish
/// cache lines, not one hot key. New keys are removed again after each iteration.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(HashTreeUpdateBenchmarkConfig))]
public class HashTreeUpdateBenchmarks
{
    /// <summary>Operations per invocation.</summary>
    public const int Batch = 16_384;

    private HashTree _tree = null!;
    private VNodeHashTrees _trees = null!;
    private byte[][] _existing = [];
    private byte[][] _fresh = [];
    private readonly byte[] _object = new byte[1024];
    private ulong _version;

    /// <summary>Builds the million-key tree, and the same keys in a vnode's trees, outside the measured time.</summary>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        var keys = AntiEntropyData.Keys(0, AntiEntropyData.TreeKeys);
        _tree = new HashTree();
        var random = new Random(42);
        foreach (var key in keys)
        {
            _tree.Set(key, (ulong)random.NextInt64());
        }

        _existing = [.. Enumerable.Range(0, Batch).Select(i => keys[(i * 61) % keys.Length])];
        _fresh = AntiEntropyData.Keys(AntiEntropyData.TreeKeys, Batch);
        random.NextBytes(_object);

        _trees = new VNodeHashTrees(0, static _ => 3, static (_, _, _) => { }, enabled: true);
        var small = new StoredObject(AntiEntropyData.ObjectOf(keys[0], 1));
        if (!await _trees.BuildAsync(Fold(keys, small), static () => DateTimeOffset.UnixEpoch, CancellationToken.None))
        {
            throw new InvalidOperationException("the vnode's trees did not build");
        }
    }

    /// <summary>A key the tree holds gets a new object hash: one dictionary probe and five XORs.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void SetExistingKey()
    {
        ulong version = ++_version << 32;
        foreach (var key in _existing)
        {
            _tree.Set(key, version++);
        }
    }

    /// <summary>A key the tree does not hold: the probe adds it (copying its bytes), then the same XORs.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void SetNewKey()
    {
        ulong hash = 0;
        foreach (var key in _fresh)
        {
            _tree.Set(key, hash++);
        }
    }

    /// <summary>Takes the new keys out again, so every iteration inserts into the same million-key tree.</summary>
    [IterationCleanup(Target = nameof(SetNewKey))]
    public void RemoveNewKeys()
    {
        foreach (var key in _fresh)
        {
            _tree.Remove(key);
        }
    }

    /// <summary>XXH3 of a 1 KiB stored object, which every write computes before it updates the tree.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public ulong ObjectHashOf1KiB()
    {
        ulong hashes = 0;
        for (int i = 0; i < Batch; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_object, ++_version);
            hashes ^= HashTree.ObjectHashOf(_object);
        }

        return hashes;
    }

    /// <summary>A vnode's whole tree update for a write of a 1 KiB object to an existing key.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void WrittenExistingKey1KiB()
    {
        foreach (var key in _existing)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_object, ++_version);
            _trees.Written(key, _object);
        }
    }

    private static async IAsyncEnumerable<StoredEntry> Fold(byte[][] keys, StoredObject value)
    {
        foreach (var key in keys)
        {
            yield return new StoredEntry(key, value);
        }

        await Task.CompletedTask;
    }
}
