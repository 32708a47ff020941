namespace RingCore.Storage.Faster;

/// <summary>
/// Settings of the FASTER backend (<see cref="FasterVNodeStoreProvider"/>): where partitions live,
/// when writes become durable, and how much memory each partition's store may hold.
/// </summary>
/// <remarks>
/// Memory per open partition is about 4 MiB that FASTER 2.6.5 allocates for every store whatever
/// these settings say (its first page of overflow hash buckets), plus <see cref="IndexSize"/> and
/// the used part of <see cref="LogMemorySize"/>, plus the keys and values of the records in
/// memory: measured, 3.2 to 4.5 MiB resident per open empty partition (bench/README.md).
/// Records are kept as .NET objects, 24 bytes each in FASTER's log, so the 128 KiB default keeps
/// the newest ~5,400 records of a partition in memory; older records are read from disk on
/// demand. A partition's store opens when the node first needs it, so a node's start costs
/// nothing per partition, and a node using all of its Q partitions pays the above Q times.
/// </remarks>
public sealed class FasterStorageOptions
{
    /// <summary>The smallest page, index or log memory size accepted: 4 KiB.</summary>
    public const long MinSize = 4 * 1024;

    /// <summary>The largest page, index or log memory size accepted: 1 GiB.</summary>
    public const long MaxSize = 1L << 30;

    /// <summary>
    /// The directory that holds one sub-directory per partition (<c>partition-&lt;p&gt;</c>), the
    /// manifest <c>ringcore-storage.json</c> (format and partition count) and the list of
    /// partitions created, <c>ringcore-partitions</c>. Required; created when missing.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>When writes become durable. Defaults to <see cref="FasterCommitMode.CommitBeforeAcknowledge"/>.</summary>
    public FasterCommitMode CommitMode { get; set; } = FasterCommitMode.CommitBeforeAcknowledge;

    /// <summary>
    /// How often writes are committed in <see cref="FasterCommitMode.CommitInterval"/> mode, and so
    /// how much a crash may lose. Defaults to 100 ms. From 1 ms to 1 hour.
    /// </summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Bytes of FASTER's in-memory log per partition (24 bytes per record; keys and values are
    /// extra, on the .NET heap). A power of two, at least two pages. Defaults to 128 KiB.
    /// </summary>
    public long LogMemorySize { get; set; } = 128 * 1024;

    /// <summary>
    /// Bytes of one page of FASTER's log: the unit it flushes and reads back in. A power of two
    /// from 4 KiB. Defaults to 8 KiB, so the default log memory holds 16 pages.
    /// </summary>
    public long LogPageSize { get; set; } = 8 * 1024;

    /// <summary>
    /// Bytes of FASTER's hash index per partition: 64-byte buckets of 7 keys each, growing
    /// overflow buckets when full. A power of two. Defaults to 256 KiB (4,096 buckets, about
    /// 28,000 keys before overflow).
    /// </summary>
    public long IndexSize { get; set; } = 256 * 1024;

    /// <summary>
    /// Whether opening a store may raise the process's thread pool minimum worker threads
    /// (<see cref="ThreadPool.SetMinThreads"/>) to what FASTER's blocking file I/O needs:
    /// max(2, cores) + 2 x max(2, cores / 2) + 4, which is 10 on 2 cores, 12 on 4, 20 on 8. It never
    /// lowers the minimum and leaves the completion port threads alone. Defaults to false.
    /// </summary>
    /// <remarks>
    /// <para>Why it exists: FASTER 2.6.5 on Linux writes its files as blocking calls on pool
    /// threads and makes other pool threads wait for those writes (a checkpoint, an object-log
    /// flush, an upsert that needs a page still being flushed). With the pool's default minimum
    /// of one thread per core, a few such waits starve the very I/O they wait for, and the pool
    /// adds threads only about twice a second: on 2 cores, puts stalled 0.7 s to 8 s with one busy
    /// partition and 14 s to 50 s with 16 to 64, and none over 80 ms with the minimum raised.</para>
    /// <para>Why it is off: the thread pool belongs to the host and is shared by the whole
    /// process, and a library must not change it unasked (the host may have tuned it, and a
    /// higher minimum lets bursts start more threads at once).</para>
    /// <para>When to turn it on: when FASTER stores carry a node's main load (several busy
    /// partitions, or few cores) and the host does not set the minimum itself. A host that does
    /// should set at least the figure above at start-up and leave this off.</para>
    /// </remarks>
    public bool RaiseThreadPoolMinimum { get; set; } = false;

    /// <summary>
    /// Whether a partition whose store vanished or fails its checks starts empty instead of
    /// failing: its files, if any, are moved aside to <c>partition-&lt;p&gt;.damaged-&lt;time&gt;</c>
    /// (never deleted) and a warning is logged (event 5101). Defaults to false: a partition this
    /// data directory created that is missing, or whose files are damaged, raises
    /// <see cref="StorageCorruptedException"/> naming the file, and the node does not start.
    /// </summary>
    /// <remarks>
    /// Turn it on to bring a node of a cluster back after a disk fault: anti-entropy and handoff
    /// refill its partitions from the other replicas. On a node that runs alone (N = 1) the data
    /// of such a partition is lost, so look at the damaged files first.
    /// </remarks>
    public bool StartDamagedPartitionsEmpty { get; set; } = false;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("FasterStorageOptions.DataDirectory must be set.", nameof(DataDirectory));
        }

        if (DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw new ArgumentException($"FasterStorageOptions.DataDirectory is not a valid path (got '{DataDirectory}').", nameof(DataDirectory));
        }

        if (!Enum.IsDefined(CommitMode))
        {
            throw new ArgumentOutOfRangeException(nameof(CommitMode), CommitMode, $"FasterStorageOptions.CommitMode must be CommitBeforeAcknowledge or CommitInterval (got {CommitMode}).");
        }

        if (CommitInterval < TimeSpan.FromMilliseconds(1) || CommitInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(CommitInterval), CommitInterval, $"FasterStorageOptions.CommitInterval must be from 1 ms to 1 hour (got {CommitInterval}).");
        }

        RequireSize(LogPageSize, nameof(LogPageSize));
        RequireSize(LogMemorySize, nameof(LogMemorySize));
        RequireSize(IndexSize, nameof(IndexSize));
        if (LogMemorySize < 2 * LogPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(LogMemorySize), LogMemorySize,
                $"FasterStorageOptions.LogMemorySize must hold at least two pages of LogPageSize {LogPageSize} (got {LogMemorySize}).");
        }
    }

    private static void RequireSize(long value, string setting)
    {
        // FASTER rounds sizes down to a power of two; refusing other values keeps the memory a
        // user configured the memory FASTER uses.
        if (value < MinSize || value > MaxSize || (value & (value - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(setting, value,
                $"FasterStorageOptions.{setting} must be a power of two from {MinSize} to {MaxSize} bytes (got {value}).");
        }
    }
}
