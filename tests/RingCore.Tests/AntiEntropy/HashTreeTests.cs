using RingCore.AntiEntropy;

namespace RingCore.Tests.AntiEntropy;

/// <summary>
/// The Merkle tree's edges: nodes and segments outside the tree are refused with a message that
/// names them, an empty tree is all zeros, and a comparison with a side that is not ready, or
/// that answers the wrong number of hashes, stops instead of guessing.
/// </summary>
public sealed class HashTreeTests
{
    [Theory]
    [InlineData(-1, 0)]
    [InlineData(HashTree.Depth + 1, 0)]
    [InlineData(0, 1)]
    [InlineData(1, 16)]
    [InlineData(3, 4096)]
    [InlineData(HashTree.Depth, HashTree.SegmentCount)]
    [InlineData(2, -1)]
    public void HashOf_refuses_a_node_outside_the_tree(int level, int index)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new HashTree().HashOf(level, index));
        Assert.Contains($"node {index} of level {level}", error.Message);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(HashTree.Depth, 0)]
    [InlineData(0, 1)]
    [InlineData(2, 256)]
    [InlineData(3, 4096)]
    [InlineData(1, -1)]
    public void CopyChildren_refuses_a_node_that_has_no_children_in_the_tree(int level, int index)
    {
        var destination = new ulong[HashTree.Fanout];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new HashTree().CopyChildren(level, index, destination));
        Assert.Contains($"node {index} of level {level}", error.Message);
    }

    [Fact]
    public void CopyChildren_refuses_a_destination_shorter_than_the_fanout()
    {
        var tree = new HashTree();
        tree.Set("k"u8, 1);
        for (int level = 0; level < HashTree.Depth; level++)
        {
            int parent = HashTree.SegmentOf(HashTree.KeyHashOf("k"u8)) >> (4 * (HashTree.Depth - level));
            Assert.ThrowsAny<ArgumentException>(() => tree.CopyChildren(level, parent, new ulong[HashTree.Fanout - 1]));
            Assert.ThrowsAny<ArgumentException>(() => new HashTree().CopyChildren(level, parent, new ulong[HashTree.Fanout - 1]));
        }
    }

    [Fact]
    public void Every_node_of_an_empty_tree_is_zero_and_the_last_of_each_level_is_reachable()
    {
        var tree = new HashTree();
        var children = new ulong[HashTree.Fanout];
        for (int level = 0; level <= HashTree.Depth; level++)
        {
            int last = (1 << (4 * level)) - 1;
            Assert.Equal(0UL, tree.HashOf(level, 0));
            Assert.Equal(0UL, tree.HashOf(level, last));
            if (level < HashTree.Depth)
            {
                Array.Fill(children, ulong.MaxValue);
                tree.CopyChildren(level, last, children);
                Assert.All(children, hash => Assert.Equal(0UL, hash));
            }
        }

        Assert.Equal(0, tree.Count);
        Assert.Empty(tree.Entries());
        Assert.Equal(HashTree.SegmentCount, HashTree.Fanout * HashTree.Fanout * HashTree.Fanout * HashTree.Fanout);
    }

    [Fact]
    public void A_key_changes_exactly_its_path_and_the_children_copied_are_the_node_hashes()
    {
        var tree = new HashTree();
        tree.Set("a key"u8, 42);
        int segment = HashTree.SegmentOf(HashTree.KeyHashOf("a key"u8));
        ulong root = tree.Root;
        Assert.NotEqual(0UL, root);

        var children = new ulong[HashTree.Fanout];
        for (int level = 0; level <= HashTree.Depth; level++)
        {
            int index = segment >> (4 * (HashTree.Depth - level));
            Assert.Equal(root, tree.HashOf(level, index));
            if (level > 0)
            {
                Assert.Equal(0UL, tree.HashOf(level, index ^ 1)); // a sibling of the path holds no key
            }

            if (level < HashTree.Depth)
            {
                tree.CopyChildren(level, index, children);
                for (int child = 0; child < HashTree.Fanout; child++)
                {
                    Assert.Equal(tree.HashOf(level + 1, (index * HashTree.Fanout) + child), children[child]);
                }
            }
        }

        Assert.True(tree.Remove("a key"u8));
        Assert.False(tree.Remove("a key"u8));
        Assert.Equal(0UL, tree.Root);
        Assert.Equal(0UL, tree.HashOf(HashTree.Depth, segment));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(HashTree.SegmentCount)]
    public void AddSegment_refuses_a_segment_outside_the_tree(int segment)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashTree().AddSegment(segment, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => TreeAnswers.Segments(new HashTree(), [segment]));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(HashTree.Depth)]
    public void TreeAnswers_refuses_a_level_without_children(int level)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TreeAnswers.Children(new HashTree(), level, [0]));
        Assert.Contains($"level {level}", error.Message);
    }

    [Fact]
    public async Task A_comparison_with_a_side_that_is_not_ready_gives_null()
    {
        var tree = new HashTree();
        tree.Set("k"u8, 1);
        var ready = new InMemoryTreeSide(tree);

        Assert.Null(await TreeComparison.CompareAsync(ready, new StubSide(root: null), CancellationToken.None));
        Assert.Null(await TreeComparison.CompareAsync(new StubSide(root: null), ready, CancellationToken.None));
        Assert.Null(await TreeComparison.CompareAsync(ready, new StubSide(root: 5, children: null), CancellationToken.None));
        Assert.Null(await TreeComparison.CompareAsync(ready, new StubSide(root: 5, children: _ => new ulong[HashTree.Fanout], segments: null), CancellationToken.None));
    }

    [Fact]
    public async Task A_peer_that_answers_the_wrong_number_of_hashes_or_segments_is_refused()
    {
        var tree = new HashTree();
        tree.Set("k"u8, 1);

        var hashes = await Assert.ThrowsAsync<InvalidDataException>(() =>
            TreeComparison.CompareAsync(new InMemoryTreeSide(tree), new StubSide(root: 5, children: count => new ulong[(count * HashTree.Fanout) - 1]), CancellationToken.None));
        Assert.Contains("15 hashes for 1 parents", hashes.Message);

        var segments = await Assert.ThrowsAsync<InvalidDataException>(() =>
            TreeComparison.CompareAsync(new InMemoryTreeSide(tree), new StubSide(root: 5, children: count => new ulong[count * HashTree.Fanout], segments: _ => []), CancellationToken.None));
        Assert.Contains("0 segments for 1", segments.Message);
    }

    /// <summary>A side whose root, children (given the parent count) and segments (given the segment count) are set by the test; null: not ready.</summary>
    private sealed class StubSide(ulong? root, Func<int, ulong[]>? children = null, Func<int, List<SegmentEntry>[]>? segments = null) : ITreeSide
    {
        public Task<ulong?> RootAsync(CancellationToken cancellationToken) => Task.FromResult(root);

        public Task<ulong[]?> ChildrenAsync(int level, IReadOnlyList<int> parents, CancellationToken cancellationToken) =>
            Task.FromResult(children?.Invoke(parents.Count));

        public Task<List<SegmentEntry>[]?> SegmentsAsync(IReadOnlyList<int> asked, CancellationToken cancellationToken) =>
            Task.FromResult(segments?.Invoke(asked.Count));
    }
}
