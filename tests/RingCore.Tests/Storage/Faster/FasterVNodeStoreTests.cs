using RingCore.Storage;
using RingCore.Storage.Faster;
using static RingCore.Tests.Storage.VNodeStoreContractTests;

namespace RingCore.Tests.Storage.Faster;

/// <summary>What the FASTER backend adds to the store contract: its files, restarts, commit modes, locking.</summary>
public sealed class FasterVNodeStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Store_lives_in_a_partition_directory_under_the_data_directory()
    {
        await using var store = await FasterTestStores.OpenAsync(7, FasterTestStores.SmallOptions(_directory.Path));

        Assert.True(File.Exists(Path.Combine(FasterTestStores.PartitionPath(_directory.Path, 7), "ringcore-store")));
        Assert.Equal(7, store.Partition);
    }

    [Fact]
    public async Task Clean_restart_keeps_every_acknowledged_write_and_delete()
    {
        var options = FasterTestStores.SmallOptions(_directory.Path);
        var expected = new Dictionary<string, string>();
        await using (var store = await FasterTestStores.OpenAsync(0, options))
        {
            // 400 keys, 80 overwrites and 58 deletes with ~340 records of log memory: many are
            // on disk by the end.
            await FasterTestStores.WriteKeysAsync(store, 400);
            for (int i = 0; i < 400; i += 5)
            {
                await store.PutAsync(Bytes($"key-{i}"), new StoredObject(Bytes($"again-{i}")));
            }

            for (int i = 0; i < 400; i += 7)
            {
                Assert.True(await store.DeleteAsync(Bytes($"key-{i}")));
            }

            for (int i = 0; i < 400; i++)
            {
                if (i % 7 != 0)
                {
                    expected[$"key-{i}"] = i % 5 == 0 ? $"again-{i}" : $"value-{i}";
                }
            }
        }

        await using (var reopened = await FasterTestStores.OpenAsync(0, options))
        {
            for (int i = 0; i < 400; i++)
            {
                var stored = await reopened.GetAsync(Bytes($"key-{i}"));
                if (expected.TryGetValue($"key-{i}", out string? value))
                {
                    Assert.Equal(value, Text(stored!.Value));
                    Assert.Equal(i % 5 == 0 ? "" : $"meta-{i}", Text(stored.Metadata));
                }
                else
                {
                    Assert.Null(stored);
                }
            }

            Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), (await FoldToDictionaryAsync(reopened)).OrderBy(p => p.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Several_restarts_accumulate_writes()
    {
        var options = FasterTestStores.SmallOptions(_directory.Path);
        for (int round = 0; round < 3; round++)
        {
            await using var store = await FasterTestStores.OpenAsync(0, options);
            Assert.Equal(round * 60, (await FoldToDictionaryAsync(store)).Count);
            await FasterTestStores.WriteKeysAsync(store, 60, prefix: $"round{round}-");
        }

        await using var last = await FasterTestStores.OpenAsync(0, options);
        Assert.Equal("value-42", Text((await last.GetAsync(Bytes("round1-42")))!.Value));
    }

    [Fact]
    public async Task Commit_interval_mode_persists_on_dispose()
    {
        // An interval far longer than the test: only the final commit of DisposeAsync can save the writes.
        var options = FasterTestStores.SmallOptions(_directory.Path, FasterCommitMode.CommitInterval);
        options.CommitInterval = TimeSpan.FromHours(1);
        await using (var store = await FasterTestStores.OpenAsync(0, options))
        {
            await FasterTestStores.WriteKeysAsync(store, 400);
            Assert.True(await store.DeleteAsync(Bytes("key-3")));
        }

        await using var reopened = await FasterTestStores.OpenAsync(0, options);
        Assert.Equal(399, (await FoldToDictionaryAsync(reopened)).Count);
        Assert.Null(await reopened.GetAsync(Bytes("key-3")));
        Assert.Equal("value-399", Text((await reopened.GetAsync(Bytes("key-399")))!.Value));
    }

    [Fact]
    public async Task Commit_interval_mode_commits_in_the_background()
    {
        var options = FasterTestStores.SmallOptions(_directory.Path, FasterCommitMode.CommitInterval);
        options.CommitInterval = TimeSpan.FromMilliseconds(20);
        await using var store = await FasterTestStores.OpenAsync(0, options);
        var checkpoints = Path.Combine(FasterTestStores.PartitionPath(_directory.Path, 0), "cpr-checkpoints");
        var before = Directory.GetDirectories(checkpoints).ToHashSet();

        await store.PutAsync(Bytes("k"), new StoredObject(Bytes("v")));

        // A new checkpoint directory appears without any further call.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.GetDirectories(checkpoints).All(before.Contains) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Contains(Directory.GetDirectories(checkpoints), d => !before.Contains(d));
    }

    [Fact]
    public async Task Two_partitions_in_one_directory_are_independent()
    {
        var provider = new FasterVNodeStoreProvider(FasterTestStores.SmallOptions(_directory.Path));
        await using (var zero = await provider.OpenAsync(0))
        await using (var one = await provider.OpenAsync(1))
        {
            await zero.PutAsync(Bytes("shared"), new StoredObject(Bytes("from-0")));
            await one.PutAsync(Bytes("shared"), new StoredObject(Bytes("from-1")));
            await zero.PutAsync(Bytes("only-0"), new StoredObject(Bytes("x")));
            Assert.True(await one.DeleteAsync(Bytes("shared")));

            Assert.Equal("from-0", Text((await zero.GetAsync(Bytes("shared")))!.Value));
            Assert.Null(await one.GetAsync(Bytes("only-0")));
        }

        await using (var zero = await provider.OpenAsync(0))
        await using (var one = await provider.OpenAsync(1))
        {
            Assert.Equal(["only-0", "shared"], (await FoldToDictionaryAsync(zero)).Keys.Order(StringComparer.Ordinal));
            Assert.Empty(await FoldToDictionaryAsync(one));
        }

        Assert.True(Directory.Exists(FasterTestStores.PartitionPath(_directory.Path, 0)));
        Assert.True(Directory.Exists(FasterTestStores.PartitionPath(_directory.Path, 1)));
    }

    [Fact]
    public async Task A_partition_opens_once_at_a_time()
    {
        var provider = new FasterVNodeStoreProvider(FasterTestStores.SmallOptions(_directory.Path));
        var first = await provider.OpenAsync(2);

        var error = await Assert.ThrowsAsync<IOException>(() => provider.OpenAsync(2).AsTask());
        Assert.Contains(FasterTestStores.PartitionPath(_directory.Path, 2), error.Message);
        Assert.Contains("already open", error.Message);

        await first.DisposeAsync();
        await using var second = await provider.OpenAsync(2);
        Assert.Null(await second.GetAsync(Bytes("k")));
    }

    [Fact]
    public async Task Dispose_is_idempotent_and_later_operations_fail_clearly()
    {
        var store = await FasterTestStores.OpenAsync(0, FasterTestStores.SmallOptions(_directory.Path));
        await store.PutAsync(Bytes("k"), new StoredObject(Bytes("v")));

        await Task.WhenAll(store.DisposeAsync().AsTask(), store.DisposeAsync().AsTask());
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync(Bytes("k")).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.PutAsync(Bytes("k"), new StoredObject(Bytes("v"))).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.DeleteAsync(Bytes("k")).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.FoldAsync().GetAsyncEnumerator().MoveNextAsync());
    }

    [Fact]
    public async Task Dispose_waits_for_writes_in_flight()
    {
        var options = FasterTestStores.SmallOptions(_directory.Path);
        var store = await FasterTestStores.OpenAsync(0, options);
        var writes = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.PutAsync(Bytes($"k{i}"), new StoredObject(Bytes($"v{i}")));
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        })).ToArray();
        await store.DisposeAsync();
        bool[] acknowledged = await Task.WhenAll(writes);

        await using var reopened = await FasterTestStores.OpenAsync(0, options);
        for (int i = 0; i < writes.Length; i++)
        {
            if (acknowledged[i])
            {
                Assert.Equal($"v{i}", Text((await reopened.GetAsync(Bytes($"k{i}")))!.Value));
            }
        }
    }

    [Fact]
    public async Task Largest_object_survives_a_restart()
    {
        var options = FasterTestStores.SmallOptions(_directory.Path);
        var value = new byte[StorageLimits.MaxObjectBytes - 100];
        new Random(5).NextBytes(value);
        var metadata = new byte[100];
        metadata[0] = 9;
        await using (var store = await FasterTestStores.OpenAsync(0, options))
        {
            await store.PutAsync(Bytes("big"), new StoredObject(value, metadata));

            // Push it out of memory so the read after the restart is not the only disk read.
            await FasterTestStores.WriteKeysAsync(store, 400);
            Assert.True((await store.GetAsync(Bytes("big")))!.Value.Span.SequenceEqual(value));
        }

        await using var reopened = await FasterTestStores.OpenAsync(0, options);
        var stored = await reopened.GetAsync(Bytes("big"));
        Assert.True(stored!.Value.Span.SequenceEqual(value));
        Assert.True(stored.Metadata.Span.SequenceEqual(metadata));
    }

    [Fact]
    public async Task Fold_runs_while_other_writers_commit()
    {
        await using var store = await FasterTestStores.OpenAsync(0, FasterTestStores.SmallOptions(_directory.Path));
        await FasterTestStores.WriteKeysAsync(store, 300);

        // Deleting each folded key while the fold goes on: the fold must not block commits.
        int folded = 0;
        await foreach (var entry in store.FoldAsync())
        {
            Assert.True(await store.DeleteAsync(entry.Key));
            folded++;
        }

        Assert.Equal(300, folded);
        Assert.Empty(await FoldToDictionaryAsync(store));
    }

    [Fact]
    public async Task An_empty_existing_directory_is_a_new_store()
    {
        Directory.CreateDirectory(FasterTestStores.PartitionPath(_directory.Path, 4));

        await using var store = await FasterTestStores.OpenAsync(4, FasterTestStores.SmallOptions(_directory.Path));

        Assert.Empty(await FoldToDictionaryAsync(store));
    }

    [Fact]
    public async Task An_abandoned_initialization_is_cleaned_up()
    {
        string abandoned = FasterTestStores.PartitionPath(_directory.Path, 5) + ".init-0123";
        Directory.CreateDirectory(abandoned);
        File.WriteAllText(Path.Combine(abandoned, "hlog.log.0"), "half-made");

        await using var store = await FasterTestStores.OpenAsync(5, FasterTestStores.SmallOptions(_directory.Path));

        Assert.False(Directory.Exists(abandoned));
        Assert.Empty(await FoldToDictionaryAsync(store));
    }
}
