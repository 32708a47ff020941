using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// A provider's <see cref="FasterStorageOptions.DataDirectory"/> as a whole: its manifest (format
/// and ring size, <see cref="FasterManifest"/>), the record of which partitions it has created
/// (<c>ringcore-partitions</c>), and the check of every partition when a node attaches.
/// </summary>
/// <remarks>
/// <para>Why a record of created partitions: a partition's store is created the first time the
/// node needs it, so a missing <c>partition-&lt;p&gt;</c> directory is normal for a partition
/// never used, and data loss for one that held data. The record tells the two apart: one line
/// per partition, appended and flushed after the partition's directory is in place (so a crash
/// in between leaves a directory the record lacks, which the next attach adds, never a record
/// of a directory that never was).</para>
/// <para>A partition that vanished or fails its checks is an error, unless
/// <see cref="FasterStorageOptions.StartDamagedPartitionsEmpty"/> is set: then its files are moved
/// aside (never deleted) and it starts empty, logged as a warning.</para>
/// </remarks>
internal sealed class FasterDataDirectory
{
    public const string CreatedPartitionsFileName = "ringcore-partitions";

    private const string CreatedLinePrefix = "created ";

    private readonly FasterStorageOptions _options;
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<int, bool> _checkedAtAttach = new();
    private readonly HashSet<int> _mayStartEmpty = [];
    private ILogger _logger = NullLogger.Instance;

    public FasterDataDirectory(FasterStorageOptions options)
    {
        _options = options;
        Root = Path.GetFullPath(options.DataDirectory!);
    }

    public string Root { get; }

    private string CreatedPartitionsPath => Path.Combine(Root, CreatedPartitionsFileName);

    /// <summary>
    /// Checks the directory against the node's layout and checks every partition it holds; see
    /// <see cref="FasterVNodeStoreProvider.AttachAsync"/>.
    /// </summary>
    public async ValueTask AttachAsync(VNodeStoreLayout layout, CancellationToken cancellationToken)
    {
        _logger = layout.Logger;
        EnsureRoot();
        var manifest = FasterManifest.Read(Root);
        var directories = PartitionDirectories();
        var created = ReadCreatedPartitions();
        if (manifest is null)
        {
            if (directories.Count > 0 || created.Count > 0)
            {
                string path = Path.Combine(Root, FasterManifest.FileName);
                throw new StorageCorruptedException(
                    $"The data directory '{Root}' holds partition stores but no manifest '{path}', so the partition count they were written with is unknown " +
                    "(it was deleted, or the stores were written by a build without manifests or without a node). If you know the count, write it there: " +
                    $"{{\"format\": {FasterManifest.CurrentFormat}, \"partitionCount\": <Q>}}.", path);
            }

            manifest = new FasterManifest(FasterManifest.CurrentFormat, layout.PartitionCount);
            manifest.Write(Root);
            FasterStorageLog.DataDirectoryCreated(_logger, Root, layout.PartitionCount);
        }

        manifest.CheckMatches(Root, layout);
        foreach (int partition in directories)
        {
            if (partition >= layout.PartitionCount)
            {
                string path = FasterPartitionDirectory.PathOf(Root, partition);
                throw new StorageCorruptedException(
                    $"The data directory '{Root}' holds '{path}', but its manifest says the ring has {layout.PartitionCount} partitions (0 to {layout.PartitionCount - 1}).", path);
            }
        }

        _checkedAtAttach.Clear();
        foreach (int partition in created.Union(directories).Order())
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = FasterPartitionDirectory.PathOf(Root, partition);
            if (!directories.Contains(partition))
            {
                Lost(partition, Vanished(partition, path));
                continue;
            }

            try
            {
                using (await FasterPartitionDirectory.OpenExistingAsync(partition, path, _options).ConfigureAwait(false))
                {
                }

                _checkedAtAttach[partition] = true;
            }
            catch (StorageCorruptedException damage)
            {
                Lost(partition, damage);
                continue;
            }

            if (!created.Contains(partition))
            {
                RecordCreated(partition); // a crash came between creating it and recording it
            }
        }
    }

    /// <summary>True once after an attach that checked <paramref name="partition"/>'s files, so its first open need not read them again.</summary>
    public bool TakeCheckedAtAttach(int partition) => _checkedAtAttach.TryRemove(partition, out _);

    /// <summary>Creates the data directory, or explains why it cannot be one.</summary>
    public void EnsureRoot()
    {
        if (File.Exists(Root))
        {
            throw new IOException($"FasterStorageOptions.DataDirectory '{Root}' is a file; it must be a directory (or not exist yet).");
        }

        try
        {
            Directory.CreateDirectory(Root);
        }
        catch (IOException exception)
        {
            throw new IOException($"FasterStorageOptions.DataDirectory '{Root}' cannot be created: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Called before creating <paramref name="partition"/>'s store because its directory is
    /// missing: throws when the partition held data, unless the options allow starting it empty.
    /// </summary>
    public void CheckMayCreate(int partition, string path)
    {
        lock (_lock)
        {
            if (_mayStartEmpty.Contains(partition))
            {
                return;
            }
        }

        if (ReadCreatedPartitions().Contains(partition))
        {
            Lost(partition, Vanished(partition, path));
        }
    }

    /// <summary>Records that <paramref name="partition"/>'s store exists now (its directory is in place).</summary>
    public void RecordCreated(int partition)
    {
        lock (_lock)
        {
            _mayStartEmpty.Remove(partition);
            DurableFile.AppendAllText(CreatedPartitionsPath, CreatedLinePrefix + partition.ToString(CultureInfo.InvariantCulture) + "\n");
        }
    }

    /// <summary>
    /// A partition that held data is gone or damaged: an error, or, when the options allow it,
    /// its files are moved aside and it starts empty.
    /// </summary>
    public void Lost(int partition, StorageCorruptedException damage)
    {
        if (!_options.StartDamagedPartitionsEmpty)
        {
            throw damage;
        }

        string path = FasterPartitionDirectory.PathOf(Root, partition);
        string? setAside = null;
        if (Directory.Exists(path))
        {
            setAside = path + ".damaged-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
            Directory.Move(path, setAside);
        }

        lock (_lock)
        {
            _mayStartEmpty.Add(partition);
        }

        FasterStorageLog.PartitionStartsEmpty(_logger, damage, partition, Root, setAside ?? "(nothing left to keep)");
    }

    private static StorageCorruptedException Vanished(int partition, string path) =>
        new($"The store directory '{path}' of partition {partition} is missing, but this data directory created it and it may have held data. " +
            "Restore it, or set FasterStorageOptions.StartDamagedPartitionsEmpty to start it empty (on a cluster, anti-entropy and handoff refill it).", path);

    /// <summary>The partitions whose stores were created in this directory (read from <c>ringcore-partitions</c>).</summary>
    public IReadOnlyCollection<int> CreatedPartitions()
    {
        lock (_lock)
        {
            return ReadCreatedPartitions();
        }
    }

    private HashSet<int> ReadCreatedPartitions()
    {
        var created = new HashSet<int>();
        if (!File.Exists(CreatedPartitionsPath))
        {
            return created;
        }

        foreach (string line in File.ReadLines(CreatedPartitionsPath))
        {
            // A line cut short by a crash is ignored: its partition's directory, if it got in
            // place, is recorded again by the next attach.
            if (line.StartsWith(CreatedLinePrefix, StringComparison.Ordinal)
                && int.TryParse(line.AsSpan(CreatedLinePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
            {
                created.Add(partition);
            }
        }

        return created;
    }

    private HashSet<int> PartitionDirectories()
    {
        var partitions = new HashSet<int>();
        foreach (string directory in Directory.EnumerateDirectories(Root, "partition-*"))
        {
            string name = Path.GetFileName(directory);
            if (int.TryParse(name.AsSpan("partition-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int partition)
                && Directory.EnumerateFileSystemEntries(directory).Any())
            {
                partitions.Add(partition);
            }
        }

        return partitions;
    }
}
