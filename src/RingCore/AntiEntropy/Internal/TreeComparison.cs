namespace RingCore.AntiEntropy;

/// <summary>
/// One side of a tree comparison: the local tree, or a peer's through requests. Each call may
/// fail (a peer that stopped answering) or find the tree not ready (null).
/// </summary>
internal interface ITreeSide
{
    /// <summary>The root's hash.</summary>
    Task<ulong?> RootAsync(CancellationToken cancellationToken);

    /// <summary>For each of <paramref name="parents"/> (nodes of <paramref name="level"/>), the hashes of its <see cref="HashTree.Fanout"/> children, in order.</summary>
    Task<ulong[]?> ChildrenAsync(int level, IReadOnlyList<int> parents, CancellationToken cancellationToken);

    /// <summary>The entries of each of <paramref name="segments"/>, by key hash, one list per segment.</summary>
    Task<List<SegmentEntry>[]?> SegmentsAsync(IReadOnlyList<int> segments, CancellationToken cancellationToken);
}

/// <summary>A key whose object differs between two trees: its hash, and the object hash on each side (null: absent there).</summary>
internal readonly record struct KeyDifference(ulong KeyHash, ulong? Local, ulong? Remote);

/// <summary>
/// Compares two <see cref="HashTree"/>s top-down, as riak's hashtree:compare/4 does: roots
/// first, then only the children of the nodes that differed, level by level, then the entries of
/// the differing segments. Identical trees cost one request; each differing key costs about
/// one path of inner nodes and its segment's entries.
/// </summary>
internal static class TreeComparison
{
    /// <summary>Parents asked about in one request (a reply of 16 hashes each: 64 KiB).</summary>
    public const int ParentsPerRequest = 512;

    /// <summary>Segments asked about in one request.</summary>
    public const int SegmentsPerRequest = 256;

    /// <summary>The keys that differ; null when either side's tree was not ready.</summary>
    public static async Task<List<KeyDifference>?> CompareAsync(ITreeSide local, ITreeSide remote, CancellationToken cancellationToken)
    {
        var localRoot = await local.RootAsync(cancellationToken).ConfigureAwait(false);
        var remoteRoot = await remote.RootAsync(cancellationToken).ConfigureAwait(false);
        if (localRoot is null || remoteRoot is null)
        {
            return null;
        }

        var differences = new List<KeyDifference>();
        if (localRoot == remoteRoot)
        {
            return differences;
        }

        var differing = new List<int> { 0 };
        for (int level = 0; level < HashTree.Depth && differing.Count > 0; level++)
        {
            var next = new List<int>();
            foreach (var chunk in differing.Chunk(ParentsPerRequest))
            {
                var mine = await local.ChildrenAsync(level, chunk, cancellationToken).ConfigureAwait(false);
                var theirs = await remote.ChildrenAsync(level, chunk, cancellationToken).ConfigureAwait(false);
                if (mine is null || theirs is null)
                {
                    return null;
                }

                if (mine.Length != chunk.Length * HashTree.Fanout || theirs.Length != mine.Length)
                {
                    throw new InvalidDataException($"a peer answered {theirs.Length} hashes for {chunk.Length} parents");
                }

                for (int i = 0; i < mine.Length; i++)
                {
                    if (mine[i] != theirs[i])
                    {
                        next.Add((chunk[i / HashTree.Fanout] * HashTree.Fanout) + (i % HashTree.Fanout));
                    }
                }
            }

            differing = next;
        }

        foreach (var chunk in differing.Chunk(SegmentsPerRequest))
        {
            var mine = await local.SegmentsAsync(chunk, cancellationToken).ConfigureAwait(false);
            var theirs = await remote.SegmentsAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (mine is null || theirs is null)
            {
                return null;
            }

            if (mine.Length != chunk.Length || theirs.Length != chunk.Length)
            {
                throw new InvalidDataException($"a peer answered {theirs.Length} segments for {chunk.Length}");
            }

            for (int i = 0; i < chunk.Length; i++)
            {
                Diff(mine[i], theirs[i], differences);
            }
        }

        return differences;
    }

    /// <summary>Adds the keys on which two segments' entries (each by key hash) differ.</summary>
    public static void Diff(List<SegmentEntry> local, List<SegmentEntry> remote, List<KeyDifference> differences)
    {
        int l = 0, r = 0;
        while (l < local.Count || r < remote.Count)
        {
            if (r == remote.Count || (l < local.Count && local[l].KeyHash < remote[r].KeyHash))
            {
                differences.Add(new KeyDifference(local[l].KeyHash, local[l].ObjectHash, null));
                l++;
            }
            else if (l == local.Count || remote[r].KeyHash < local[l].KeyHash)
            {
                differences.Add(new KeyDifference(remote[r].KeyHash, null, remote[r].ObjectHash));
                r++;
            }
            else
            {
                if (local[l].ObjectHash != remote[r].ObjectHash)
                {
                    differences.Add(new KeyDifference(local[l].KeyHash, local[l].ObjectHash, remote[r].ObjectHash));
                }

                l++;
                r++;
            }
        }
    }
}
