using System.Runtime.CompilerServices;
using RingCore.AntiEntropy;
using RingCore.Storage;

namespace RingCore.Tests.AntiEntropy;

/// <summary>
/// A vnode's trees built from a fold while writes go on: a key written or deleted after the
/// build began keeps what the write said, whatever older view the fold yields of it later.
/// </summary>
public sealed class VNodeHashTreesTests
{
    private static byte[] Key(string name) => [0x01, 0x01, 0x00, (byte)'b', .. System.Text.Encoding.UTF8.GetBytes(name)];

    private static VNodeHashTrees NewTrees(List<string>? corrupted = null) =>
        new(0, static key => key.Length > 0 && key[0] == 0x01 ? 3 : 0, (_, key, _) => corrupted?.Add(System.Text.Encoding.UTF8.GetString(key.Span)), enabled: true);

    private static ulong? HashOf(VNodeHashTrees trees, byte[] key) =>
        trees.Read(3, tree => tree.TryGet(key, out ulong hash) ? new[] { hash } : []) is { Length: 1 } found ? found[0] : null;

    /// <summary>Yields the entries, calling <paramref name="before"/> just before the one at each index it names.</summary>
    private static async IAsyncEnumerable<StoredEntry> Fold(IEnumerable<(byte[] Key, byte[] Value)> entries, Dictionary<int, Action> before,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int index = 0;
        foreach (var (key, value) in entries)
        {
            await Task.Yield();
            if (before.TryGetValue(index++, out var action))
            {
                action();
            }

            yield return new StoredEntry(key, new StoredObject(value));
        }
    }

    [Fact]
    public async Task Writes_and_deletes_during_a_build_win_over_the_folds_older_view()
    {
        var trees = NewTrees();
        byte[] k1 = Key("k1"), k2 = Key("k2"), k3 = Key("k3"), k4 = Key("k4");
        trees.Written(k4, [9]); // before the first build: the fold covers it
        Assert.False(trees.IsReady);

        var fold = Fold([(k1, [1]), (k2, [2]), (k3, [3]), (k4, [4])], new()
        {
            [0] = () => trees.Written(k1, [11]), // written after the build began, folded later as its old bytes
            [1] = () => trees.Deleted(k3), // deleted before the fold reaches it
        });
        Assert.True(await trees.BuildAsync(fold, () => DateTimeOffset.UnixEpoch, CancellationToken.None));

        Assert.True(trees.IsReady);
        Assert.Equal(HashTree.ObjectHashOf([11]), HashOf(trees, k1));
        Assert.Equal(HashTree.ObjectHashOf([2]), HashOf(trees, k2));
        Assert.Null(HashOf(trees, k3));
        Assert.Equal(HashTree.ObjectHashOf([4]), HashOf(trees, k4));
        Assert.Equal(3, trees.CountOf(3));

        trees.Written(k2, [22]); // after the build: the tree follows every write
        trees.Deleted(k1);
        Assert.Equal(HashTree.ObjectHashOf([22]), HashOf(trees, k2));
        Assert.Null(HashOf(trees, k1));
    }

    [Fact]
    public async Task A_tree_being_built_does_not_answer_and_a_later_build_supersedes_an_earlier_one()
    {
        var trees = NewTrees();
        var gate = new TaskCompletionSource();
        async IAsyncEnumerable<StoredEntry> Slow()
        {
            await gate.Task;
            yield return new StoredEntry(Key("old"), new StoredObject(new byte[] { 1 }));
        }

        var first = trees.BuildAsync(Slow(), () => DateTimeOffset.UnixEpoch, CancellationToken.None);
        Assert.True(trees.Building);
        Assert.Null(trees.Read(3, tree => new[] { tree.Root })); // not trusted while it builds

        var second = trees.BuildAsync(Fold([(Key("new"), [2])], []), () => DateTimeOffset.UnixEpoch.AddDays(1), CancellationToken.None);
        Assert.True(await second);
        gate.SetResult();
        Assert.False(await first); // the earlier build gave way

        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), trees.BuiltAt);
        Assert.NotNull(HashOf(trees, Key("new")));
        Assert.Null(HashOf(trees, Key("old")));
    }

    [Fact]
    public async Task Reserved_keys_are_in_no_tree_and_a_disabled_vnode_keeps_none_but_still_reports_rot()
    {
        var trees = NewTrees();
        Assert.True(await trees.BuildAsync(Fold([([0x00, 0x01], [1]), (Key("k"), [2])], []), () => DateTimeOffset.UnixEpoch, CancellationToken.None));
        Assert.Equal(1, trees.CountOf(3));

        var corrupted = new List<string>();
        var disabled = new VNodeHashTrees(0, static _ => 3, (_, key, _) => corrupted.Add(System.Text.Encoding.UTF8.GetString(key.Span)), enabled: false);
        Assert.False(await disabled.BuildAsync(Fold([(Key("k"), [2])], []), () => DateTimeOffset.UnixEpoch, CancellationToken.None));
        disabled.Written(Key("k"), [3]);
        Assert.False(disabled.IsReady);
        disabled.Corrupted(Key("k"), new InvalidDataException("rot"));
        Assert.Single(corrupted);
    }
}
