using System.Text;
using RingCore.Storage;

namespace RingCore.Tests.Storage;

/// <summary>
/// What every <see cref="IVNodeStore"/> promises, run against each backend by a subclass that
/// says how to open a fresh store.
/// </summary>
public abstract class VNodeStoreContractTests : IAsyncLifetime
{
    private IVNodeStore? _store;

    protected IVNodeStore Store => _store ?? throw new InvalidOperationException("The store opens in InitializeAsync.");

    public async Task InitializeAsync() => _store = await OpenFreshStoreAsync(partition: 3);

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    /// <summary>Opens an empty store of <paramref name="partition"/>.</summary>
    protected abstract ValueTask<IVNodeStore> OpenFreshStoreAsync(int partition);

    [Fact]
    public void Reports_its_partition() => Assert.Equal(3, Store.Partition);

    [Fact]
    public async Task Put_then_get_returns_value_and_metadata()
    {
        await Store.PutAsync(Bytes("cart:1"), new StoredObject(Bytes("apples"), Bytes("vv1")));

        var stored = await Store.GetAsync(Bytes("cart:1"));

        Assert.NotNull(stored);
        Assert.Equal("apples", Text(stored.Value));
        Assert.Equal("vv1", Text(stored.Metadata));
    }

    [Fact]
    public async Task Empty_value_and_metadata_round_trip()
    {
        await Store.PutAsync(Bytes("k"), new StoredObject(ReadOnlyMemory<byte>.Empty));

        var stored = await Store.GetAsync(Bytes("k"));

        Assert.NotNull(stored);
        Assert.True(stored.Value.IsEmpty);
        Assert.True(stored.Metadata.IsEmpty);
    }

    [Fact]
    public async Task Missing_key_reads_as_null() => Assert.Null(await Store.GetAsync(Bytes("nobody")));

    [Fact]
    public async Task Overwrite_returns_the_latest_object()
    {
        await Store.PutAsync(Bytes("k"), new StoredObject(Bytes("one"), Bytes("m1")));
        await Store.PutAsync(Bytes("k"), new StoredObject(Bytes("two"), Bytes("m2")));

        var stored = await Store.GetAsync(Bytes("k"));

        Assert.Equal("two", Text(stored!.Value));
        Assert.Equal("m2", Text(stored.Metadata));
    }

    [Fact]
    public async Task Delete_removes_and_says_whether_the_key_was_present()
    {
        await Store.PutAsync(Bytes("k"), new StoredObject(Bytes("v")));

        Assert.True(await Store.DeleteAsync(Bytes("k")));
        Assert.Null(await Store.GetAsync(Bytes("k")));
        Assert.False(await Store.DeleteAsync(Bytes("k")));
        Assert.False(await Store.DeleteAsync(Bytes("never-there")));
    }

    [Fact]
    public async Task Put_after_delete_brings_the_key_back()
    {
        await Store.PutAsync(Bytes("k"), new StoredObject(Bytes("v1")));
        await Store.DeleteAsync(Bytes("k"));
        await Store.PutAsync(Bytes("k"), new StoredObject(Bytes("v2")));

        Assert.Equal("v2", Text((await Store.GetAsync(Bytes("k")))!.Value));
    }

    [Fact]
    public async Task Put_copies_the_callers_buffers()
    {
        byte[] key = Bytes("k");
        byte[] value = Bytes("original");
        await Store.PutAsync(key, new StoredObject(value));
        value[0] = (byte)'X';
        key[0] = (byte)'X';

        Assert.Equal("original", Text((await Store.GetAsync(Bytes("k")))!.Value));
    }

    [Fact]
    public async Task Keys_are_compared_by_content_and_slices_work()
    {
        byte[] buffer = Bytes("xxkeyxx");
        await Store.PutAsync(buffer.AsMemory(2, 3), new StoredObject(Bytes("v")));

        Assert.NotNull(await Store.GetAsync(Bytes("key")));
        Assert.True(await Store.DeleteAsync(buffer.AsMemory(2, 3)));
    }

    [Fact]
    public async Task Fold_returns_exactly_the_live_keys_with_their_latest_objects()
    {
        for (int i = 0; i < 60; i++)
        {
            await Store.PutAsync(Bytes($"key-{i}"), new StoredObject(Bytes($"v1-{i}")));
        }

        for (int i = 0; i < 60; i += 3)
        {
            await Store.PutAsync(Bytes($"key-{i}"), new StoredObject(Bytes($"v2-{i}"), Bytes("m")));
        }

        for (int i = 0; i < 60; i += 4)
        {
            await Store.DeleteAsync(Bytes($"key-{i}"));
        }

        var folded = await FoldToDictionaryAsync(Store);

        var expected = Enumerable.Range(0, 60).Where(i => i % 4 != 0)
            .ToDictionary(i => $"key-{i}", i => i % 3 == 0 ? $"v2-{i}" : $"v1-{i}");
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), folded.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Count, await Store.CountAsync());
    }

    [Fact]
    public async Task Fold_of_an_empty_store_is_empty()
    {
        Assert.Empty(await FoldToDictionaryAsync(Store));
        Assert.Equal(0, await Store.CountAsync());
    }

    [Fact]
    public async Task Concurrent_puts_from_eight_tasks_are_all_visible()
    {
        const int Tasks = 8;
        const int PerTask = 40;
        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < PerTask; i++)
            {
                await Store.PutAsync(Bytes($"t{t}-k{i}"), new StoredObject(Bytes($"t{t}-v{i}")));
            }
        })));

        for (int t = 0; t < Tasks; t++)
        {
            for (int i = 0; i < PerTask; i++)
            {
                Assert.Equal($"t{t}-v{i}", Text((await Store.GetAsync(Bytes($"t{t}-k{i}")))!.Value));
            }
        }

        Assert.Equal(Tasks * PerTask, (await FoldToDictionaryAsync(Store)).Count);
    }

    [Fact]
    public async Task Oversized_key_is_rejected_and_nothing_is_stored()
    {
        byte[] key = new byte[StorageLimits.MaxKeyBytes + 1];

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync(key, new StoredObject(Bytes("v"))).AsTask());
        Assert.Contains("key", error.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetAsync(key).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(key).AsTask());
        Assert.Empty(await FoldToDictionaryAsync(Store));
    }

    [Fact]
    public async Task Largest_key_is_accepted()
    {
        byte[] key = new byte[StorageLimits.MaxKeyBytes];
        key[^1] = 7;
        await Store.PutAsync(key, new StoredObject(Bytes("v")));

        Assert.Equal("v", Text((await Store.GetAsync(key))!.Value));
    }

    [Fact]
    public async Task Oversized_object_is_rejected_and_nothing_is_stored()
    {
        var tooBig = new StoredObject(new byte[StorageLimits.MaxObjectBytes - 10], new byte[11]);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync(Bytes("k"), tooBig).AsTask());
        Assert.Contains("object", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Null(await Store.GetAsync(Bytes("k")));
        Assert.Empty(await FoldToDictionaryAsync(Store));
    }

    [Fact]
    public async Task Empty_key_is_rejected()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync(ReadOnlyMemory<byte>.Empty, new StoredObject(Bytes("v"))).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetAsync(ReadOnlyMemory<byte>.Empty).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(ReadOnlyMemory<byte>.Empty).AsTask());
        Assert.Empty(await FoldToDictionaryAsync(Store));
    }

    [Fact]
    public async Task Null_object_is_rejected() =>
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync(Bytes("k"), null!).AsTask());

    [Fact]
    public async Task Cancelled_token_stops_an_operation_before_it_starts()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync(Bytes("k"), new StoredObject(Bytes("v")), cancelled.Token).AsTask());
        Assert.Null(await Store.GetAsync(Bytes("k")));
    }

    internal static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    internal static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    internal static async Task<Dictionary<string, string>> FoldToDictionaryAsync(IVNodeStore store)
    {
        var result = new Dictionary<string, string>();
        await foreach (var entry in store.FoldAsync())
        {
            Assert.True(result.TryAdd(Text(entry.Key), Text(entry.Object.Value)), $"fold returned {Text(entry.Key)} twice");
        }

        return result;
    }
}
