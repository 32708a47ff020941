using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// The data directory's identity, <c>ringcore-storage.json</c>: the storage format version and
/// the ring size (Q) its partitions were written with. A key's partition is the top log2(Q)
/// bits of its position, so the same directory read with another Q would find only a fraction of
/// its keys (issue 12: 8,609 of 499,500 at 128). Written once, atomically, when a node first
/// attaches; every later attach must match it.
/// </summary>
internal sealed record FasterManifest(int Format, int PartitionCount)
{
    public const string FileName = "ringcore-storage.json";

    /// <summary>The storage format this build writes and reads.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The manifest in <paramref name="root"/>, or null when there is none.</summary>
    /// <exception cref="StorageCorruptedException">The file exists but is not a manifest.</exception>
    public static FasterManifest? Read(string root)
    {
        string path = Path.Combine(root, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))?.AsObject();
            int format = json?["format"]?.GetValue<int>() ?? throw new FormatException("no \"format\"");
            int partitions = json["partitionCount"]?.GetValue<int>() ?? throw new FormatException("no \"partitionCount\"");
            return new FasterManifest(format, partitions);
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            throw new StorageCorruptedException(
                $"The storage manifest '{path}' is unreadable ({exception.Message}); it records the data directory's format and partition count.",
                path, exception);
        }
    }

    /// <summary>Writes the manifest into <paramref name="root"/> (temporary file, flush, rename, flush the directory).</summary>
    public void Write(string root)
    {
        var json = new JsonObject
        {
            ["format"] = Format,
            ["partitionCount"] = PartitionCount,
            ["writtenBy"] = "RingCore.Storage.Faster",
        };
        DurableFile.WriteAllText(Path.Combine(root, FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Throws when this manifest does not describe data that a node of <paramref name="layout"/> may read.</summary>
    public void CheckMatches(string root, VNodeStoreLayout layout)
    {
        string path = Path.Combine(root, FileName);
        if (Format != CurrentFormat)
        {
            throw new StorageCorruptedException(
                $"The data directory '{root}' holds storage format {Format.ToString(CultureInfo.InvariantCulture)} (manifest '{path}'); " +
                $"this build reads format {CurrentFormat.ToString(CultureInfo.InvariantCulture)} only.", path);
        }

        if (PartitionCount != layout.PartitionCount)
        {
            throw new ArgumentException(
                $"The data directory '{root}' was written with {PartitionCount.ToString(CultureInfo.InvariantCulture)} partitions (manifest '{path}'), " +
                $"but node '{layout.NodeName}' starts with RingCore:PartitionCount {layout.PartitionCount.ToString(CultureInfo.InvariantCulture)}. " +
                "A key's partition depends on the partition count, so this data read with another one would show only part of its keys; " +
                $"start with PartitionCount {PartitionCount.ToString(CultureInfo.InvariantCulture)}, or with an empty DataDirectory (changing the ring size of existing data is not supported).",
                nameof(layout));
        }
    }
}
