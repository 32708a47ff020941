using System.Globalization;
using System.Numerics;
using RingCore.Hashing;
using RingCore.Preference;
using Spectre.Console;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// Writes where one key lives, for people: the hash, the partition, and the preference list
/// (the owners of the key's partition and the next n_val - 1, as riak_core_apl computes it).
/// </summary>
internal sealed class LocateReport
{
    private readonly IAnsiConsole _console;
    private readonly RingSetup _setup;

    public LocateReport(IAnsiConsole console, RingSetup setup)
    {
        _console = console;
        _setup = setup;
    }

    /// <param name="locator">The ring and the hash.</param>
    /// <param name="key">The key's bytes.</param>
    /// <param name="keyText">The key as the user typed it, or null when it was given as hex.</param>
    /// <param name="bucketText">The bucket as the user typed it, or null when it was given as hex or not at all.</param>
    /// <param name="nVal">How many replicas to list.</param>
    public void Write(KeyLocator locator, byte[] key, string? keyText, string? bucketText, int nVal)
    {
        var ring = locator.Ring;
        int partition = locator.PartitionOf(key);
        _console.WriteLine(_setup.Describe());
        _console.WriteLine(Describe("Key", key, keyText));
        if (!locator.Bucket.IsEmpty)
        {
            _console.WriteLine(Describe("Bucket", locator.Bucket, bucketText));
        }

        if (locator.Mode == KeyHashMode.Riak)
        {
            Span<byte> sha1 = stackalloc byte[RiakKeyHash.HashSizeInBytes];
            RiakKeyHash.Hash(locator.Bucket, key, sha1);
            _console.WriteLine($"Hash: riak, SHA-1 of term_to_binary({{Bucket, Key}}) = {HexBytes.Format(sha1)}");
        }
        else
        {
            string position = locator.PositionOf(key).ToString("x16", CultureInfo.InvariantCulture);
            _console.WriteLine(locator.Bucket.IsEmpty
                ? $"Hash: xxhash, XxHash64(key) = ring position {position}"
                : $"Hash: xxhash, XxHash64(key, seed: XxHash64(bucket)) = ring position {position}");
        }

        _console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Partition: {partition} of {ring.PartitionCount}"));
        _console.WriteLine();
        _console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Preference list (n_val {nVal}):"));

        bool riak = locator.Mode == KeyHashMode.Riak;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("Position").RightAligned())
            .AddColumn(new TableColumn("Partition").RightAligned());
        if (riak)
        {
            // Riak names partitions by their start on the 2^160 ring (riak-admin, riak_core_apl).
            table.AddColumn(new TableColumn("Riak index").RightAligned());
        }

        table.AddColumn(new TableColumn("Node"));
        var owners = PreferenceTable.Build(ring, nVal).ForPartition(partition, nVal);
        var increment = (BigInteger.One << 160) / ring.PartitionCount;
        for (int position = 0; position < owners.Length; position++)
        {
            int replica = (partition + position) % ring.PartitionCount;
            var cells = new List<Text>(4)
            {
                new((position + 1).ToString(CultureInfo.InvariantCulture)),
                new(replica.ToString(CultureInfo.InvariantCulture)),
            };
            if (riak)
            {
                cells.Add(new((increment * replica).ToString(CultureInfo.InvariantCulture)));
            }

            cells.Add(new(ring.Members[owners[position]].Name));
            table.AddRow(cells);
        }

        _console.Write(table);
    }

    private static string Describe(string what, ReadOnlySpan<byte> bytes, string? text) =>
        text is null ? $"{what}: {HexBytes.Format(bytes)} (hex)" : $"{what}: '{text}' (hex {HexBytes.Format(bytes)})";
}
