using System.Buffers.Binary;
using System.Diagnostics;
using RingCore.Hashing;

namespace RingCore.Benchmarks.Routing;

/// <summary>
/// The classic consistent-hash ring that RingCore's fixed partitions are measured against: every
/// node places many random tokens on a 64-bit circle, and a key belongs to the node of the first
/// token at or after its hash (Karger et al. 1997; ketama's continuum; Cassandra's vnodes, where a
/// replica set is the next N distinct nodes clockwise).
/// </summary>
/// <remarks>
/// It hashes with the same XxHash64 as RingCore, so the benchmark compares the data structures
/// (a binary search and a walk against a shift and a slice), not the hash functions. The tokens
/// live in one sorted array with a parallel owner array, the cache-friendliest layout this design
/// allows, so the comparison is fair to it.
/// </remarks>
internal sealed class SortedTokenRing
{
    private readonly ulong[] _tokens;
    private readonly int[] _owners;

    /// <summary>Places <paramref name="tokensPerNode"/> random tokens for each of <paramref name="nodeCount"/> nodes.</summary>
    /// <param name="nodeCount">Nodes 0 to nodeCount - 1.</param>
    /// <param name="tokensPerNode">Tokens per node; Cassandra's num_tokens was 256, now 16, and ketama uses 160.</param>
    /// <param name="seed">Seeds the token generator, so every run measures the same ring.</param>
    public SortedTokenRing(int nodeCount, int tokensPerNode, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokensPerNode, 1);
        NodeCount = nodeCount;
        _tokens = new ulong[nodeCount * tokensPerNode];
        _owners = new int[_tokens.Length];
        var random = new Random(seed);
        Span<byte> token = stackalloc byte[sizeof(ulong)];
        for (int i = 0; i < _tokens.Length; i++)
        {
            random.NextBytes(token);
            _tokens[i] = BinaryPrimitives.ReadUInt64LittleEndian(token);
            _owners[i] = i / tokensPerNode;
        }

        // Sorting the tokens carries each owner along, which keeps the two arrays parallel.
        Array.Sort(_tokens, _owners);
    }

    /// <summary>The number of distinct nodes on the ring.</summary>
    public int NodeCount { get; }

    /// <summary>
    /// Writes the preference list of <paramref name="key"/>: the first
    /// <c>destination.Length</c> distinct nodes clockwise from its hash. Allocates nothing.
    /// </summary>
    /// <returns>How many nodes were written: fewer than asked only when the ring has fewer nodes.</returns>
    public int PreferenceList(ReadOnlySpan<byte> key, Span<int> destination)
    {
        var tokens = _tokens;
        var owners = _owners;
        int index = FirstTokenAtOrAfter(XxHash64.Hash(key));
        if (index == tokens.Length)
        {
            index = 0; // past the last token the circle wraps to the first
        }

        int count = 0;
        for (int visited = 0; visited < tokens.Length && count < destination.Length; visited++)
        {
            int owner = owners[index];
            if (!destination[..count].Contains(owner))
            {
                destination[count++] = owner;
            }

            if (++index == tokens.Length)
            {
                index = 0;
            }
        }

        Debug.Assert(count == Math.Min(destination.Length, NodeCount), "the walk visits every token, so it finds every node");
        return count;
    }

    // A lower bound written out rather than Array.BinarySearch: its "~index when absent" result
    // needs a fix-up, and this plain loop is what a careful implementation would ship.
    private int FirstTokenAtOrAfter(ulong position)
    {
        var tokens = _tokens;
        int low = 0;
        int high = tokens.Length;
        while (low < high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            if (tokens[middle] < position)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
