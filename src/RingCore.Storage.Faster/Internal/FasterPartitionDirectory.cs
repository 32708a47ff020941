using System.Globalization;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// The directory of one partition's FASTER store (<c>&lt;DataDirectory&gt;/partition-&lt;p&gt;/</c>):
/// creating it so that a crash never leaves a half-made store behind, locking it against a second
/// opener, and checking, before FASTER recovers it, that its files hold what its checkpoint says
/// (<see cref="Check"/>), so missing or damaged files raise <see cref="StorageCorruptedException"/>
/// naming the file instead of an empty store or a recovery that never returns.
/// </summary>
/// <remarks>
/// A new store is built in <c>partition-&lt;p&gt;.init-&lt;guid&gt;</c>, given its sentinel record,
/// a checkpoint and a marker file (<see cref="FasterPartitionMarker"/>), and only then renamed
/// into place (rename is atomic) and recorded in the data directory
/// (<see cref="FasterDataDirectory.RecordCreated"/>). So a <c>partition-&lt;p&gt;</c> directory
/// always holds a checkpoint; one without is damaged, never new. Leftover <c>.init-</c>
/// directories never acknowledged a write and are deleted.
/// </remarks>
internal sealed class FasterPartitionDirectory : IDisposable
{
    public const string LockFileName = "LOCK";

    public const string LogCheckpointDirectoryName = "cpr-checkpoints";

    public const string IndexCheckpointDirectoryName = "index-checkpoints";

    // FASTER's local devices write whole 512-byte sectors.
    private const long SectorBytes = 512;

    private readonly FileStream _lock;

    private FasterPartitionDirectory(int partition, string path, FileStream lockFile)
    {
        Partition = partition;
        Path = path;
        _lock = lockFile;
    }

    public int Partition { get; }

    public string Path { get; }

    public string LogCheckpointDirectory => System.IO.Path.Combine(Path, LogCheckpointDirectoryName);

    public static string PathOf(string dataDirectory, int partition) =>
        System.IO.Path.Combine(dataDirectory, "partition-" + partition.ToString(CultureInfo.InvariantCulture));

    /// <summary>The checkpoint to recover, chosen and checked by <see cref="Check"/>.</summary>
    public FasterCheckpointChoice ChosenCheckpoint { get; private set; } = null!;

    /// <summary>
    /// Creates the partition's directory when it does not exist (unless it held data: see
    /// <see cref="FasterDataDirectory.CheckMayCreate"/>), then locks and checks it.
    /// </summary>
    public static async ValueTask<FasterPartitionDirectory> OpenAsync(int partition, FasterStorageOptions options, FasterDataDirectory data, CancellationToken cancellationToken)
    {
        data.EnsureRoot();
        string path = PathOf(data.Root, partition);
        DeleteAbandonedInitializations(data.Root, partition);

        bool empty = Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any();
        if (!Directory.Exists(path) || empty)
        {
            data.CheckMayCreate(partition, path);
            if (empty)
            {
                // An empty directory holds no data: treat it as new (someone made it by hand).
                Directory.Delete(path);
            }

            cancellationToken.ThrowIfCancellationRequested();
            await InitializeAsync(path, partition, options).ConfigureAwait(false);
            data.RecordCreated(partition);
        }

        try
        {
            return await OpenExistingAsync(partition, path, options, readLogs: !data.TakeCheckedAtAttach(partition)).ConfigureAwait(false);
        }
        catch (StorageCorruptedException damage) when (options.StartDamagedPartitionsEmpty)
        {
            data.Lost(partition, damage); // moves its files aside
            return await OpenAsync(partition, options, data, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Locks an existing partition directory and checks it (<see cref="Check"/>); with
    /// <paramref name="readLogs"/> false, the logs' records are not read again.
    /// </summary>
    public static ValueTask<FasterPartitionDirectory> OpenExistingAsync(int partition, string path, FasterStorageOptions options, bool readLogs = true)
    {
        var lockFile = AcquireLock(path, partition);
        try
        {
            var directory = new FasterPartitionDirectory(partition, path, lockFile);
            directory.Check(options, readLogs);
            return ValueTask.FromResult(directory);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Everything that can be checked before FASTER recovers the store: the marker, the newest
    /// checkpoint's metadata, the index file, the log files' lengths, and (with
    /// <paramref name="readLogs"/>) every record of the logs (<see cref="FasterLogValidator"/>).
    /// </summary>
    private void Check(FasterStorageOptions options, bool readLogs)
    {
        var (pageSize, hasSentinel) = FasterPartitionMarker.Check(Path, Partition, options);
        if (Checkpoints(LogCheckpointDirectory).Count == 0)
        {
            throw NoCheckpoint();
        }

        var choice = ChooseCheckpoint();
        var log = FasterLogCheckpointInfo.Read(choice.LogInfoFile, Partition);
        CheckLogCoversRecoveredRange(log.BeginAddress, log.FinalAddress);
        if (readLogs)
        {
            FasterLogValidator.Check(Path, Partition, log, pageSize, expectSentinel: hasSentinel);
        }

        ChosenCheckpoint = choice;
    }

    /// <summary>
    /// The checkpoint to recover: the newest log checkpoint, and the newest index checkpoint not
    /// newer than it. Chosen here and passed to FASTER explicitly because FASTER, left to choose,
    /// silently falls back to an older checkpoint when the newest is damaged (seen with 2.6.5: a
    /// garbled newest info.dat recovered the empty first checkpoint), losing acknowledged writes.
    /// </summary>
    private FasterCheckpointChoice ChooseCheckpoint()
    {
        var logs = Checkpoints(LogCheckpointDirectory);
        if (logs.Count == 0)
        {
            throw NoCheckpoint();
        }

        // Two log checkpoints exist only after a crash between FASTER writing the newer and
        // deleting the older (the store deletes stale ones after every commit). If that crash
        // came before FASTER wrote the newer one's metadata (one 512-byte write), its file is
        // empty and its commit never completed, so no write it covered was acknowledged.
        var log = logs[0];
        if (log.InfoLength == 0 && logs.Count > 1)
        {
            log = logs[1];
        }

        string indexDirectory = System.IO.Path.Combine(Path, IndexCheckpointDirectoryName);
        var index = Checkpoints(indexDirectory).FirstOrDefault(c => c.Token == log.Token)
            ?? Checkpoints(indexDirectory).FirstOrDefault(c => c.InfoLength > 0 && c.InfoWritten <= log.InfoWritten);
        if (index is null)
        {
            throw new StorageCorruptedException(
                $"The store directory '{Path}' of partition {Partition} has no index checkpoint in '{indexDirectory}' " +
                $"to recover with its log checkpoint '{log.InfoFile}'.", indexDirectory);
        }

        CheckHashTableFile(index.InfoFile);
        return new FasterCheckpointChoice(index.Token, log.Token, log.InfoFile, index.InfoFile);
    }

    /// <summary>
    /// The hash index file must be as long as its metadata says: FASTER reads a missing or short
    /// ht.dat as empty buckets and recovers without the keys it indexed. The metadata is FASTER
    /// 2.x's text layout after a 4-byte length: version, checksum, token, table size, hash table
    /// bytes, overflow bucket bytes, ...
    /// </summary>
    private void CheckHashTableFile(string indexInfoFile)
    {
        long needed;
        try
        {
            byte[] bytes = File.ReadAllBytes(indexInfoFile);
            int length = BitConverter.ToInt32(bytes, 0);
            string[] lines = System.Text.Encoding.UTF8.GetString(bytes, sizeof(int), Math.Min(length, bytes.Length - sizeof(int))).Split('\n');
            needed = long.Parse(lines[4].Trim(), CultureInfo.InvariantCulture) + long.Parse(lines[5].Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new StorageCorruptedException($"The index checkpoint metadata '{indexInfoFile}' of partition {Partition} is unreadable.", indexInfoFile, exception);
        }

        string hashTable = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(indexInfoFile)!, "ht.dat.0");
        long actual = File.Exists(hashTable) ? new FileInfo(hashTable).Length : -1;
        if (actual < needed)
        {
            throw new StorageCorruptedException(
                actual < 0
                    ? $"The hash index file '{hashTable}' of partition {Partition} is missing; its checkpoint needs {needed} bytes."
                    : $"The hash index file '{hashTable}' of partition {Partition} holds {actual} bytes; its checkpoint needs {needed}.",
                hashTable);
        }
    }

    /// <summary>Wraps a failed FASTER recovery in an exception that names the checkpoint it read.</summary>
    public StorageCorruptedException RecoveryFailed(FasterCheckpointChoice choice, Exception exception) =>
        new(
            $"The FASTER store of partition {Partition} cannot be recovered from its checkpoint '{choice.LogInfoFile}' " +
            $"(with the index checkpoint '{choice.IndexInfoFile}'): {exception.Message}",
            choice.LogInfoFile,
            exception);

    /// <summary>
    /// Deletes every log checkpoint but <paramref name="keep"/>. FASTER removes outdated ones
    /// itself, but not the one it recovered from while it still holds that one's files open;
    /// a stale checkpoint left behind is one FASTER could fall back to.
    /// </summary>
    public void DeleteLogCheckpointsExcept(Guid keep)
    {
        foreach (var checkpoint in Checkpoints(LogCheckpointDirectory))
        {
            if (checkpoint.Token != keep)
            {
                TryDelete(System.IO.Path.GetDirectoryName(checkpoint.InfoFile)!);
            }
        }
    }

    /// <summary>
    /// After recovery: the main log's segment files must hold every byte up to the recovered tail
    /// (FASTER reads a missing file as zeros and would recover an empty store), and the object log
    /// must exist when there are records.
    /// </summary>
    public void CheckLogCoversRecoveredRange(long beginAddress, long tailAddress)
    {
        if (tailAddress <= beginAddress)
        {
            return;
        }

        long segmentSize = 1L << FasterKvInstance.SegmentSizeBits;
        for (long segment = beginAddress >> FasterKvInstance.SegmentSizeBits; segment <= (tailAddress - 1) >> FasterKvInstance.SegmentSizeBits; segment++)
        {
            string file = SegmentPath(FasterKvInstance.LogFileName, segment);
            long segmentStart = segment * segmentSize;
            long needed = (Math.Min(tailAddress, segmentStart + segmentSize) - segmentStart) / SectorBytes * SectorBytes;
            long length = File.Exists(file) ? new FileInfo(file).Length : -1;
            if (length < needed)
            {
                throw new StorageCorruptedException(
                    length < 0
                        ? $"The FASTER log file '{file}' of partition {Partition} is missing; its checkpoint needs {needed} bytes of it."
                        : $"The FASTER log file '{file}' of partition {Partition} holds {length} bytes; its checkpoint needs {needed}.",
                    file);
            }
        }

        bool hasObjectLog = Directory.EnumerateFiles(Path, FasterKvInstance.ObjectLogFileName + ".*")
            .Any(static file => new FileInfo(file).Length > 0);
        if (!hasObjectLog)
        {
            string file = SegmentPath(FasterKvInstance.ObjectLogFileName, 0);
            throw new StorageCorruptedException(
                $"The FASTER object log '{file}' of partition {Partition} is missing or empty, but its checkpoint holds records.", file);
        }
    }

    public void Dispose() => _lock.Dispose();

    private static async ValueTask InitializeAsync(string path, int partition, FasterStorageOptions options)
    {
        string staging = path + ".init-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        try
        {
            using (var kv = FasterKvInstance.Create(staging, options))
            {
                FasterPartitionMarker.WriteSentinel(kv, partition);
                await FasterOperations.CheckpointAsync(kv.Kv, full: true, staging).ConfigureAwait(false);
            }

            FasterPartitionMarker.Write(staging, partition, options.LogPageSize);
            try
            {
                Directory.Move(staging, path);
            }
            catch (IOException) when (Directory.Exists(path))
            {
                // Another opener created the partition first; use theirs.
                Directory.Delete(staging, recursive: true);
            }
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
    }

    private static FileStream AcquireLock(string path, int partition)
    {
        string lockPath = System.IO.Path.Combine(path, LockFileName);
        try
        {
            // FileShare.None takes an exclusive lock (flock on Unix); the OS drops it when the
            // process dies, so a crash never leaves the partition locked.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception) when (IsHeldByAnother(exception))
        {
            throw new IOException($"The store of partition {partition} in '{path}' is already open, in this process or another (lock file '{lockPath}').", exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A read-only mount, a permission, a full disk: say so, not "already open" (issue 12).
            throw new IOException(
                $"The store of partition {partition} in '{path}' cannot be opened for writing: its lock file '{lockPath}' cannot be opened ({exception.Message}). " +
                "A store needs its directory writable.", exception);
        }
    }

    /// <summary>
    /// Whether opening the lock file failed because another opener holds it: EWOULDBLOCK from
    /// flock on Unix (.NET reports the errno as the HResult), a sharing or lock violation on Windows.
    /// </summary>
    private static bool IsHeldByAnother(IOException exception) =>
        OperatingSystem.IsWindows()
            ? (exception.HResult & 0xFFFF) is 32 or 33
            : exception.HResult == 11 || exception.HResult == 35; // EAGAIN on Linux, on macOS

    private StorageCorruptedException NoCheckpoint() =>
        new(
            $"The store directory '{Path}' of partition {Partition} has no checkpoint in '{LogCheckpointDirectory}': " +
            "its data cannot be recovered, and starting empty would lose it.",
            LogCheckpointDirectory);

    /// <summary>The checkpoints (token directories with an info file) under <paramref name="directory"/>, newest first.</summary>
    private static List<Checkpoint> Checkpoints(string directory)
    {
        var checkpoints = new List<Checkpoint>();
        if (!Directory.Exists(directory))
        {
            return checkpoints;
        }

        foreach (string tokenDirectory in Directory.EnumerateDirectories(directory))
        {
            if (!Guid.TryParse(System.IO.Path.GetFileName(tokenDirectory), out var token))
            {
                continue;
            }

            // FASTER's segmented devices append the segment number: info.dat.0.
            var info = new FileInfo(System.IO.Path.Combine(tokenDirectory, "info.dat.0"));
            if (info.Exists)
            {
                checkpoints.Add(new Checkpoint(token, info.FullName, info.Length, info.LastWriteTimeUtc));
            }
        }

        // Newest first, by the time the metadata was written, as FASTER orders them itself.
        checkpoints.Sort(static (a, b) => b.InfoWritten.CompareTo(a.InfoWritten));
        return checkpoints;
    }

    private string SegmentPath(string fileName, long segment) =>
        System.IO.Path.Combine(Path, fileName + "." + segment.ToString(CultureInfo.InvariantCulture));

    private sealed record Checkpoint(Guid Token, string InfoFile, long InfoLength, DateTime InfoWritten);

    private static void DeleteAbandonedInitializations(string root, int partition)
    {
        string prefix = "partition-" + partition.ToString(CultureInfo.InvariantCulture) + ".init-";
        foreach (string staging in Directory.EnumerateDirectories(root, prefix + "*"))
        {
            TryDelete(staging);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a later open deletes it again.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
