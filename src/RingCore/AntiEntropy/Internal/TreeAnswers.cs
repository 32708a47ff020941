namespace RingCore.AntiEntropy;

/// <summary>What a tree answers to the questions of an exchange, the same for the local side and a peer's request.</summary>
internal static class TreeAnswers
{
    /// <summary>The children's hashes of each parent, in order (<see cref="HashTree.Fanout"/> per parent).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A level or a parent that is not in the tree.</exception>
    public static ulong[] Children(HashTree tree, int level, IReadOnlyList<int> parents)
    {
        if ((uint)level >= HashTree.Depth)
        {
            throw new ArgumentOutOfRangeException(nameof(level), $"level {level} has no children (the tree has {HashTree.Depth} levels below its root)");
        }

        var hashes = new ulong[parents.Count * HashTree.Fanout];
        for (int i = 0; i < parents.Count; i++)
        {
            tree.CopyChildren(level, parents[i], hashes.AsSpan(i * HashTree.Fanout, HashTree.Fanout));
        }

        return hashes;
    }

    /// <summary>The entries of each segment, by key hash.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A segment that is not in the tree.</exception>
    public static List<SegmentEntry>[] Segments(HashTree tree, IReadOnlyList<int> segments)
    {
        var entries = new List<SegmentEntry>[segments.Count];
        for (int i = 0; i < segments.Count; i++)
        {
            entries[i] = [];
            tree.AddSegment(segments[i], entries[i]);
        }

        return entries;
    }
}
