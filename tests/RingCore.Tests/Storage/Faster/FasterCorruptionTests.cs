using RingCore.Storage;
using RingCore.Storage.Faster;

namespace RingCore.Tests.Storage.Faster;

/// <summary>
/// Damaged or missing files make opening fail with <see cref="StorageCorruptedException"/> naming
/// the file, never with an empty store over data that was there, and never by deleting anything.
/// </summary>
public sealed class FasterCorruptionTests : IDisposable
{
    // Generous on a shared 2-core machine; a failing open takes well under a second.
    private static readonly TimeSpan OpenDeadline = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string PartitionPath => FasterTestStores.PartitionPath(_directory.Path, 0);

    private string LogCheckpoints => Path.Combine(PartitionPath, "cpr-checkpoints");

    private string IndexCheckpoints => Path.Combine(PartitionPath, "index-checkpoints");

    [Fact]
    public async Task Log_checkpoint_directory_deleted()
    {
        await WriteStoreAsync();
        Directory.Delete(LogCheckpoints, recursive: true);

        var error = await OpenFailsAsync();

        Assert.Equal(LogCheckpoints, error.Path);
        Assert.Contains(LogCheckpoints, error.Message);
    }

    [Fact]
    public async Task Log_checkpoint_metadata_deleted()
    {
        await WriteStoreAsync();
        File.Delete(LogCheckpointInfo());

        var error = await OpenFailsAsync();

        Assert.Contains(LogCheckpoints, error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(100)]
    public async Task Log_checkpoint_metadata_truncated(int length)
    {
        await WriteStoreAsync();
        string info = LogCheckpointInfo();
        using (var file = File.OpenWrite(info))
        {
            file.SetLength(length);
        }

        var error = await OpenFailsAsync();

        Assert.Equal(info, error.Path);
        Assert.Contains(info, error.Message);
    }

    [Fact]
    public async Task Garbage_in_log_checkpoint_metadata()
    {
        await WriteStoreAsync();
        string info = LogCheckpointInfo();
        File.WriteAllBytes(info, Garbage(512, seed: 1));

        var error = await OpenFailsAsync();

        Assert.Equal(info, error.Path);
        Assert.Contains(info, error.Message);
    }

    [Fact]
    public async Task A_damaged_newest_checkpoint_never_falls_back_to_an_older_one()
    {
        // FASTER, left to choose, recovers an older checkpoint when the newest is damaged. Keep
        // an older one around (a copy of the first checkpoint under a new token, older on disk).
        await WriteStoreAsync();
        string info = LogCheckpointInfo();
        string older = Path.Combine(LogCheckpoints, Guid.NewGuid().ToString());
        Directory.CreateDirectory(older);
        File.Copy(info, Path.Combine(older, "info.dat.0"));
        File.SetLastWriteTimeUtc(Path.Combine(older, "info.dat.0"), DateTime.UtcNow.AddHours(-1));
        File.WriteAllBytes(info, Garbage(512, seed: 2));

        var error = await OpenFailsAsync();

        Assert.Equal(info, error.Path);
    }

    [Fact]
    public async Task Index_checkpoints_deleted()
    {
        await WriteStoreAsync();
        Directory.Delete(IndexCheckpoints, recursive: true);

        var error = await OpenFailsAsync();

        Assert.Equal(IndexCheckpoints, error.Path);
        Assert.Contains(IndexCheckpoints, error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Hash_index_file_missing_or_truncated(bool delete)
    {
        await WriteStoreAsync();
        string hashTable = NewestFile(IndexCheckpoints, "ht.dat.0");
        if (delete)
        {
            File.Delete(hashTable);
        }
        else
        {
            using var file = File.OpenWrite(hashTable);
            file.SetLength(4096);
        }

        var error = await OpenFailsAsync();

        Assert.Equal(hashTable, error.Path);
        Assert.Contains(hashTable, error.Message);
    }

    [Fact]
    public async Task Garbage_in_index_checkpoint_metadata()
    {
        await WriteStoreAsync();
        string info = NewestFile(IndexCheckpoints, "info.dat.0");
        File.WriteAllBytes(info, Garbage(512, seed: 3));

        var error = await OpenFailsAsync();

        Assert.Contains(info, error.Message);
    }

    [Theory]
    [InlineData("hlog.log.0", true)]
    [InlineData("hlog.log.0", false)]
    [InlineData("hlog.obj.log.0", true)]
    [InlineData("hlog.obj.log.0", false)]
    public async Task Log_file_missing_or_emptied(string fileName, bool delete)
    {
        await WriteStoreAsync();
        string file = Path.Combine(PartitionPath, fileName);
        if (delete)
        {
            File.Delete(file);
        }
        else
        {
            File.WriteAllBytes(file, []);
        }

        var error = await OpenFailsAsync();

        Assert.Equal(file, error.Path);
        Assert.Contains(file, error.Message);
    }

    [Fact]
    public async Task Main_log_truncated()
    {
        await WriteStoreAsync();
        string file = Path.Combine(PartitionPath, "hlog.log.0");
        using (var stream = File.OpenWrite(file))
        {
            stream.SetLength(stream.Length / 2 / 512 * 512);
        }

        var error = await OpenFailsAsync();

        Assert.Equal(file, error.Path);
    }

    [Fact]
    public async Task Marker_file_missing()
    {
        await WriteStoreAsync();
        string marker = Path.Combine(PartitionPath, "ringcore-store");
        File.Delete(marker);

        var error = await OpenFailsAsync();

        Assert.Equal(marker, error.Path);
        Assert.Contains(marker, error.Message);
    }

    [Fact]
    public async Task A_partition_directory_copied_under_another_partition_is_refused()
    {
        await WriteStoreAsync();
        string other = FasterTestStores.PartitionPath(_directory.Path, 1);
        Directory.Move(PartitionPath, other);

        var error = await Assert.ThrowsAsync<StorageCorruptedException>(() => FasterTestStores.OpenAsync(1, FasterTestStores.SmallOptions(_directory.Path)).AsTask());

        Assert.Contains("partition 1", error.Message);
        Assert.Equal(Path.Combine(other, "ringcore-store"), error.Path);
    }

    [Fact]
    public async Task Files_left_only_by_a_half_made_store_are_refused_not_wiped()
    {
        // Data files without a marker or checkpoint: not something RingCore leaves, so refuse.
        Directory.CreateDirectory(PartitionPath);
        File.WriteAllBytes(Path.Combine(PartitionPath, "hlog.log.0"), Garbage(4096, seed: 4));

        await OpenFailsAsync();

        Assert.True(File.Exists(Path.Combine(PartitionPath, "hlog.log.0")));
    }

    [Theory]
    [InlineData("hlog.log.0")]
    [InlineData("hlog.obj.log.0")]
    public async Task A_log_overwritten_with_zeros_is_refused_not_read_as_empty(string fileName)
    {
        // Issue 12: a zeroed main log recovered as an empty store (every key gone, no error).
        await WriteStoreAsync();
        string file = Path.Combine(PartitionPath, fileName);
        File.WriteAllBytes(file, new byte[new FileInfo(file).Length]);

        var error = await OpenFailsAsync();

        Assert.Equal(file, error.Path);
        Assert.Contains(file, error.Message);
    }

    [Theory]
    [InlineData("hlog.log.0", "whole file")]
    [InlineData("hlog.log.0", "64 bytes")]
    [InlineData("hlog.log.0", "64 bytes at the start")]
    [InlineData("hlog.obj.log.0", "whole file")]
    [InlineData("hlog.obj.log.0", "64 bytes")]
    [InlineData("hlog.obj.log.0", "64 bytes at the start")]
    public async Task Random_bytes_in_a_log_fail_the_open_within_seconds_naming_the_file(string fileName, string where)
    {
        // Issue 12: FASTER's recovery waited forever (0% CPU) on logs with random bytes in them.
        await WriteStoreAsync();
        string file = Path.Combine(PartitionPath, fileName);
        long length = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            var (offset, count) = where switch
            {
                "whole file" => (0L, (int)length),
                "64 bytes" => (length / 2, 64),
                _ => (0L, 64),
            };
            stream.Position = offset;
            stream.Write(Garbage(count, seed: 5));
        }

        var error = await OpenFailsAsync();

        Assert.Equal(file, error.Path);
        Assert.Contains(file, error.Message);
    }

    [Theory]
    [InlineData("hlog.log.0")]
    [InlineData("hlog.obj.log.0")]
    public async Task Random_bytes_appended_to_a_log_are_ignored_and_every_key_is_read(string fileName)
    {
        // Bytes past what the checkpoint covers are what a crash leaves (writes never committed),
        // so they must neither fail the open nor hang it (issue 12: 1 MB appended hung FASTER).
        await WriteStoreAsync();
        using (var stream = new FileStream(Path.Combine(PartitionPath, fileName), FileMode.Append))
        {
            stream.Write(Garbage(1 << 20, seed: 6));
        }

        var opening = Task.Run(() => FasterTestStores.OpenAsync(0, FasterTestStores.SmallOptions(_directory.Path)).AsTask());
        await using var store = await opening.WaitAsync(OpenDeadline);
        for (int i = 0; i < 300; i++)
        {
            var stored = await store.GetAsync(VNodeStoreContractTests.Bytes("key-" + i)).AsTask().WaitAsync(OpenDeadline);
            Assert.Equal("value-" + i, VNodeStoreContractTests.Text(stored!.Value));
        }
    }

    /// <summary>
    /// Creates partition 0 with 300 keys (some on disk) and closes it cleanly. Interval mode (one
    /// commit, on dispose) only to keep the setup fast; the files are the same.
    /// </summary>
    private async Task WriteStoreAsync()
    {
        await using var store = await FasterTestStores.OpenAsync(0, FasterTestStores.SmallOptions(_directory.Path, FasterCommitMode.CommitInterval));
        await FasterTestStores.WriteKeysAsync(store, 300);
    }

    /// <summary>
    /// Opening fails, twice (the failure releases the partition's lock), and deletes no data: no
    /// log file, no log checkpoint. (FASTER itself drops superseded index checkpoints when it
    /// recovers, which loses nothing.)
    /// </summary>
    private async Task<StorageCorruptedException> OpenFailsAsync()
    {
        var before = Directory.GetFiles(PartitionPath, "*", SearchOption.AllDirectories)
            .Where(file => !file.StartsWith(IndexCheckpoints, StringComparison.Ordinal))
            .Order()
            .ToArray();
        var error = await Assert.ThrowsAsync<StorageCorruptedException>(OpenWithinDeadlineAsync);
        var again = await Assert.ThrowsAsync<StorageCorruptedException>(OpenWithinDeadlineAsync);

        Assert.Equal(error.Path, again.Path);
        Assert.IsAssignableFrom<IOException>(error);
        Assert.Contains("partition 0", error.Message);
        var after = Directory.GetFiles(PartitionPath, "*", SearchOption.AllDirectories).ToHashSet();
        Assert.All(before, file => Assert.Contains(file, after));
        return error;
    }

    /// <summary>
    /// Opens partition 0 on another thread and gives up after <see cref="OpenDeadline"/>: a hang
    /// (FASTER blocks the opening thread) fails the test with a TimeoutException instead of
    /// stalling the run.
    /// </summary>
    private Task OpenWithinDeadlineAsync() =>
        Task.Run(async () => await (await FasterTestStores.OpenAsync(0, FasterTestStores.SmallOptions(_directory.Path))).DisposeAsync())
            .WaitAsync(OpenDeadline);

    private string LogCheckpointInfo()
    {
        var infos = Directory.GetFiles(LogCheckpoints, "info.dat.0", SearchOption.AllDirectories);
        return Assert.Single(infos);
    }

    private static string NewestFile(string directory, string name) =>
        Directory.GetFiles(directory, name, SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).First();

    private static byte[] Garbage(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
