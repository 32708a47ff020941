using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using RingCore.Storage;

namespace RingCore.AntiEntropy;

/// <summary>
/// The Merkle tree of one preference list's keys on one vnode (riak_kv_index_hashtree's tree of
/// one index_n, hashtree.erl): every key with the hash of its stored object, grouped into
/// <see cref="SegmentCount"/> segments by the key's hash, under <see cref="Depth"/> levels of
/// inner nodes with <see cref="Fanout"/> children each. Two replicas holding the same objects
/// have the same tree, node for node; where they differ, only the branches above the differing
/// keys differ, so an exchange descends into those alone.
/// </summary>
/// <remarks>
/// <para>
/// The shape is fixed, the same on every node: 65,536 segments under a root with fan-out 16
/// (four levels: 16, 256, 4,096 and 65,536 nodes). At a million keys a segment holds about 15;
/// an exchange that finds 100 differing keys among them fetches about 3,100 inner hashes and
/// 100 segments' key hashes, about 51 KB (bench/README.md, "Anti-entropy"). Riak's width of
/// 1,024 fetches every non-empty child of each differing node instead of 16 (about 1.9 MB
/// against 51 KB for the same 100 differences).
/// </para>
/// <para>
/// A node's hash is the XOR of the entry hashes below it, an entry hash mixing the key's hash
/// with its object's hash (XXH3). XOR makes an update one delta applied to a segment and its four
/// ancestors, with no rescan and no allocation, and makes the tree independent of the order in
/// which keys were written. Distinct keys never cancel: each key is in the tree once, and two
/// different entry sets XOR to the same value with probability 2^-64.
/// </para>
/// <para>
/// The tree is a plain data structure: no clock, no I/O, no locks. Its owner
/// (<see cref="VNodeHashTrees"/>) serializes access. Memory: about 67 KB empty, then about 113
/// bytes per key of 23 bytes (its array and its dictionary entry; bench/README.md).
/// </para>
/// </remarks>
internal sealed class HashTree
{
    /// <summary>Children of every inner node.</summary>
    public const int Fanout = 16;

    /// <summary>Levels below the root; the last one is the segments.</summary>
    public const int Depth = 4;

    /// <summary>Leaves: <see cref="Fanout"/> to the power <see cref="Depth"/>.</summary>
    public const int SegmentCount = 1 << (FanoutBits * Depth);

    private const int FanoutBits = 4;
    private const int SegmentBits = FanoutBits * Depth;

    // _levels[l] holds the Fanout^l nodes of level l (0: the root), for l < Depth; the segments
    // live in blocks of Fanout (one block per node of level Depth - 1), made when a key lands.
    private readonly ulong[][] _levels;
    private readonly Block?[] _blocks;

    public HashTree()
    {
        _levels = new ulong[Depth][];
        for (int level = 0; level < Depth; level++)
        {
            _levels[level] = new ulong[1 << (FanoutBits * level)];
        }

        _blocks = new Block?[SegmentCount / Fanout];
    }

    /// <summary>The keys in the tree.</summary>
    public int Count { get; private set; }

    /// <summary>The root's hash: equal roots, equal trees.</summary>
    public ulong Root => _levels[0][0];

    /// <summary>The hash of a key as the tree places it (XXH3 of its bytes).</summary>
    public static ulong KeyHashOf(ReadOnlySpan<byte> key) => XxHash3.HashToUInt64(key);

    /// <summary>The hash of a stored object (XXH3 of its bytes: equal sibling sets encode to equal bytes).</summary>
    public static ulong ObjectHashOf(ReadOnlySpan<byte> stored) => XxHash3.HashToUInt64(stored);

    /// <summary>The segment of a key hash: its top <c>16</c> bits.</summary>
    public static int SegmentOf(ulong keyHash) => (int)(keyHash >> (64 - SegmentBits));

    /// <summary>Inserts a key or replaces its object hash.</summary>
    public void Set(ReadOnlySpan<byte> key, ulong objectHash)
    {
        ulong keyHash = KeyHashOf(key);
        int segment = SegmentOf(keyHash);
        var block = _blocks[segment >> FanoutBits] ??= new Block();
        var lookup = block.Entries.GetAlternateLookup<ReadOnlySpan<byte>>();
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, key, out bool existed);
        ulong delta = EntryHash(keyHash, objectHash);
        if (existed)
        {
            if (entry.ObjectHash == objectHash)
            {
                return;
            }

            delta ^= EntryHash(keyHash, entry.ObjectHash);
        }
        else
        {
            Count++;
        }

        entry = new Entry(keyHash, objectHash);
        Apply(block, segment, delta);
    }

    /// <summary>Removes a key; false when it was not in the tree.</summary>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        ulong keyHash = KeyHashOf(key);
        int segment = SegmentOf(keyHash);
        var block = _blocks[segment >> FanoutBits];
        if (block is null || !block.Entries.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(key, out _, out var entry))
        {
            return false;
        }

        Count--;
        Apply(block, segment, EntryHash(keyHash, entry.ObjectHash));
        return true;
    }

    /// <summary>The object hash the tree holds for a key.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out ulong objectHash)
    {
        var block = _blocks[SegmentOf(KeyHashOf(key)) >> FanoutBits];
        if (block is not null && block.Entries.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out var entry))
        {
            objectHash = entry.ObjectHash;
            return true;
        }

        objectHash = 0;
        return false;
    }

    /// <summary>The hash of node <paramref name="index"/> of <paramref name="level"/> (0: the root; <see cref="Depth"/>: a segment).</summary>
    public ulong HashOf(int level, int index)
    {
        if ((uint)level > Depth || (uint)index >= (uint)(1 << (FanoutBits * level)))
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"node {index} of level {level} is not in the tree");
        }

        if (level < Depth)
        {
            return _levels[level][index];
        }

        return _blocks[index >> FanoutBits]?.Segments[index & (Fanout - 1)] ?? 0;
    }

    /// <summary>Writes the <see cref="Fanout"/> children's hashes of node <paramref name="index"/> of <paramref name="level"/> (below <see cref="Depth"/>).</summary>
    public void CopyChildren(int level, int index, Span<ulong> destination)
    {
        if ((uint)level >= Depth || (uint)index >= (uint)(1 << (FanoutBits * level)))
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"node {index} of level {level} has no children in the tree");
        }

        int first = index << FanoutBits;
        if (level + 1 < Depth)
        {
            _levels[level + 1].AsSpan(first, Fanout).CopyTo(destination);
        }
        else if (_blocks[index] is { } block)
        {
            block.Segments.CopyTo(destination);
        }
        else
        {
            destination[..Fanout].Clear();
        }
    }

    /// <summary>Adds the (key hash, object hash) of every key of <paramref name="segment"/> to <paramref name="entries"/>, by key hash.</summary>
    public void AddSegment(int segment, List<SegmentEntry> entries)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)segment, (uint)SegmentCount, nameof(segment));
        if (_blocks[segment >> FanoutBits] is not { } block)
        {
            return;
        }

        int start = entries.Count;
        foreach (var entry in block.Entries.Values)
        {
            if (SegmentOf(entry.KeyHash) == segment)
            {
                entries.Add(new SegmentEntry(entry.KeyHash, entry.ObjectHash));
            }
        }

        entries.Sort(start, entries.Count - start, SegmentEntry.ByKeyHash);
    }

    /// <summary>Adds the keys whose hash is <paramref name="keyHash"/> (one, but for a 64-bit collision) to <paramref name="keys"/>.</summary>
    public void AddKeysOf(ulong keyHash, List<byte[]> keys)
    {
        if (_blocks[SegmentOf(keyHash) >> FanoutBits] is not { } block)
        {
            return;
        }

        foreach (var (key, entry) in block.Entries)
        {
            if (entry.KeyHash == keyHash)
            {
                keys.Add(key);
            }
        }
    }

    /// <summary>Every key and object hash in the tree (in no particular order), for tests and rebuild checks.</summary>
    public IEnumerable<KeyValuePair<byte[], ulong>> Entries()
    {
        foreach (var block in _blocks)
        {
            if (block is null)
            {
                continue;
            }

            foreach (var (key, entry) in block.Entries)
            {
                yield return new(key, entry.ObjectHash);
            }
        }
    }

    /// <summary>What a key with an object contributes to its segment and every node above it.</summary>
    internal static ulong EntryHash(ulong keyHash, ulong objectHash)
    {
        Span<byte> pair = stackalloc byte[2 * sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(pair, keyHash);
        BinaryPrimitives.WriteUInt64LittleEndian(pair[sizeof(ulong)..], objectHash);
        return XxHash3.HashToUInt64(pair);
    }

    private void Apply(Block block, int segment, ulong delta)
    {
        block.Segments[segment & (Fanout - 1)] ^= delta;
        int index = segment;
        for (int level = Depth - 1; level >= 0; level--)
        {
            index >>= FanoutBits;
            _levels[level][index] ^= delta;
        }
    }

    private readonly record struct Entry(ulong KeyHash, ulong ObjectHash);

    /// <summary>The <see cref="Fanout"/> segments under one node of the last inner level, and their keys.</summary>
    private sealed class Block
    {
        public readonly ulong[] Segments = new ulong[Fanout];
        public readonly Dictionary<byte[], Entry> Entries = new(ByteKeyComparer.Instance);
    }
}

/// <summary>One key of a segment as an exchange sees it: the key's hash and its object's hash.</summary>
internal readonly record struct SegmentEntry(ulong KeyHash, ulong ObjectHash)
{
    public static readonly IComparer<SegmentEntry> ByKeyHash =
        Comparer<SegmentEntry>.Create(static (x, y) => x.KeyHash != y.KeyHash ? x.KeyHash.CompareTo(y.KeyHash) : x.ObjectHash.CompareTo(y.ObjectHash));
}
