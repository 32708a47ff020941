using RingCore.AntiEntropy;

namespace RingCore.Tests.AntiEntropy;

/// <summary>
/// One side of a tree comparison over a <see cref="HashTree"/> in memory, answering with
/// <see cref="TreeAnswers"/> as a node does, and recording every question it was asked.
/// </summary>
internal sealed class InMemoryTreeSide(HashTree tree) : ITreeSide
{
    public int RootCalls { get; private set; }

    public int ChildrenCalls { get; private set; }

    public int SegmentsCalls { get; private set; }

    /// <summary>The parents asked about at each level (0: the root's children), over every call.</summary>
    public List<int>[] ParentsAsked { get; } = [.. Enumerable.Range(0, HashTree.Depth).Select(_ => new List<int>())];

    /// <summary>The segments whose entries were asked for, over every call.</summary>
    public List<int> SegmentsAsked { get; } = [];

    public Task<ulong?> RootAsync(CancellationToken cancellationToken)
    {
        RootCalls++;
        return Task.FromResult<ulong?>(tree.Root);
    }

    public Task<ulong[]?> ChildrenAsync(int level, IReadOnlyList<int> parents, CancellationToken cancellationToken)
    {
        ChildrenCalls++;
        ParentsAsked[level].AddRange(parents);
        return Task.FromResult<ulong[]?>(TreeAnswers.Children(tree, level, parents));
    }

    public Task<List<SegmentEntry>[]?> SegmentsAsync(IReadOnlyList<int> segments, CancellationToken cancellationToken)
    {
        SegmentsCalls++;
        SegmentsAsked.AddRange(segments);
        return Task.FromResult<List<SegmentEntry>[]?>(TreeAnswers.Segments(tree, segments));
    }
}
