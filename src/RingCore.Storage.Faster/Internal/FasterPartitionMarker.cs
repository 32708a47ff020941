using System.Globalization;
using System.Text;
using FASTER.core;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// A partition store's marker file (<c>ringcore-store</c>) and its sentinel record. The marker
/// says which partition the directory holds, in which format, and with which log page size
/// (FASTER reads a log only with the page size that wrote it); its presence also says the
/// directory was made by RingCore. The sentinel is the store's first record, under the empty
/// key, so a log overwritten with zeros is told from an empty store (<see cref="FasterLogValidator"/>).
/// Stores made before the page size line was added have neither the line nor the sentinel.
/// </summary>
internal static class FasterPartitionMarker
{
    public const string FileName = "ringcore-store";

    private const string FirstLinePrefix = "ringcore-faster-vnode-store format 1 partition ";

    private const string PageSizePrefix = "log-page-size ";

    /// <summary>Writes the marker of a new store into <paramref name="directory"/>.</summary>
    public static void Write(string directory, int partition, long pageSize) =>
        File.WriteAllText(Path.Combine(directory, FileName),
            FirstLine(partition) + PageSizePrefix + pageSize.ToString(CultureInfo.InvariantCulture) + "\n");

    /// <summary>
    /// Checks the marker file; returns the log page size the store was written with, and whether
    /// it was made with a sentinel (both came with the marker's second line).
    /// </summary>
    public static (long PageSize, bool HasSentinel) Check(string directory, int partition, FasterStorageOptions options)
    {
        string marker = Path.Combine(directory, FileName);
        if (!File.Exists(marker))
        {
            throw new StorageCorruptedException(
                $"The store directory '{directory}' of partition {partition} has no marker file '{marker}': it was not made by RingCore or has been damaged.", marker);
        }

        string[] lines = File.ReadAllText(marker).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] + "\n" != FirstLine(partition))
        {
            throw new StorageCorruptedException(
                $"The marker file '{marker}' does not describe a format-1 store of partition {partition} (it reads '{string.Join(" / ", lines)}').", marker);
        }

        // Stores made before the page size was recorded were made with the options of the day.
        if (lines.Length < 2)
        {
            return (options.LogPageSize, false);
        }

        if (!lines[1].StartsWith(PageSizePrefix, StringComparison.Ordinal)
            || !long.TryParse(lines[1].AsSpan(PageSizePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long pageSize)
            || pageSize < FasterStorageOptions.MinSize || (pageSize & (pageSize - 1)) != 0)
        {
            throw new StorageCorruptedException($"The marker file '{marker}' of partition {partition} has an unreadable line '{lines[1]}'.", marker);
        }

        if (pageSize != options.LogPageSize)
        {
            throw new ArgumentException(
                $"FasterStorageOptions.LogPageSize is {options.LogPageSize}, but the store of partition {partition} in '{directory}' was written with pages of {pageSize} bytes " +
                $"(marker '{marker}'); FASTER reads a log only with the page size that wrote it. Set LogPageSize to {pageSize}.", nameof(options));
        }

        return (pageSize, true);
    }

    /// <summary>
    /// The value of the sentinel, the store's first record, under the empty key (which no caller
    /// can use: <see cref="StorageLimits.CheckKey"/> refuses it). See <see cref="FasterLogValidator"/>.
    /// </summary>
    public static byte[] SentinelRecord(int partition) =>
        FasterRecordFormat.Encode(new StoredObject(Encoding.UTF8.GetBytes(FirstLine(partition))));

    /// <summary>Writes the sentinel into a new store, before its first checkpoint.</summary>
    public static void WriteSentinel(FasterKvInstance kv, int partition)
    {
        using var session = kv.Kv.NewSession<byte[], byte[], Empty>(new SimpleFunctions<byte[], byte[]>());
        byte[] key = [];
        byte[] value = SentinelRecord(partition);
        if (session.Upsert(ref key, ref value).IsPending)
        {
            session.CompletePending(wait: true);
        }
    }

    private static string FirstLine(int partition) =>
        FirstLinePrefix + partition.ToString(CultureInfo.InvariantCulture) + "\n";
}
