using System.Globalization;
using System.Text;
using RingCore.Claim;
using RingCore.Hashing;
using RingCore.Preference;
using RingCore.Ring;

namespace RingCore.Tests.Tools;

public sealed class LocateCommandTests
{
    [Theory]
    [InlineData("user:42", 3)]
    [InlineData("another key", 1)]
    [InlineData("ключ", 4)]
    public void Key_is_placed_in_its_partition_with_the_preference_tables_nodes(string key, int nVal)
    {
        var ring = RingClaim.Initial(64, ["a", "b", "c", "d"]).Ring;
        int partition = ring.PartitionOfKey(Encoding.UTF8.GetBytes(key));

        var run = RingCtlRun.Of("locate", "--ring-size", "64", "--nodes", "a,b,c,d", "--key", key, "--n-val", Text(nVal));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        Assert.Contains($"Partition: {partition} of 64", run.OutputLines);
        Assert.Equal(PreferenceRows(ring, partition, nVal), run.TableAfter("Preference list"));
    }

    [Fact]
    public void Hex_key_is_hashed_as_its_bytes_in_either_case()
    {
        var ring = RingClaim.Initial(256, ["a", "b", "c"]).Ring;
        int partition = ring.PartitionOfKey([0x0a, 0x0b, 0xff]);

        var run = RingCtlRun.Of("locate", "--ring-size", "256", "--nodes", "a,b,c", "--key-hex", "0A0bFf");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Key: 0a0bff (hex)", run.OutputLines);
        Assert.Contains($"Partition: {partition} of 256", run.OutputLines);
        Assert.Equal(PreferenceRows(ring, partition, 3), run.TableAfter("Preference list"));
    }

    [Fact]
    public void Keys_from_file_prints_one_plain_line_per_key()
    {
        var ring = RingClaim.Initial(64, ["a", "b", "c"]).Ring;
        string[] keys = ["0a0b", "deadbeef", "00", "", "0123456789abcdef0123456789abcdef"];
        string path = WriteTempFile("0a0b\n\n   DEADbeef  \r\n\t00\n \n\n0123456789ABCDEF0123456789abcdef\n");
        try
        {
            var run = RingCtlRun.Of("locate", "--nodes", "a,b,c", "--keys-from", path);

            Assert.Equal(0, run.ExitCode);
            Assert.Equal(string.Empty, run.Error);
            var expected = keys.Where(k => k.Length > 0)
                .Select(k => $"{k} {Text(ring.PartitionOfKey(Convert.FromHexString(k)))}");
            Assert.Equal(expected, run.OutputLines);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_bucket_in_xxhash_mode_places_the_key_where_the_store_and_actor_types_do()
    {
        var ring = RingClaim.Initial(64, ["a", "b", "c", "d"]).Ring;
        int withinBucket = ring.PartitionOf(KeyPosition.Of("carts"u8, "42"u8));
        Assert.Equal(withinBucket, ring.PartitionOf(KeyPosition.Of(KeyPosition.SeedOf("carts"u8), "42"u8)));

        var run = RingCtlRun.Of("locate", "--nodes", "a,b,c,d", "--key", "42", "--bucket", "carts");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Partition: {withinBucket} of 64", run.OutputLines);
    }

    [Theory]
    [InlineData("x", "b")]
    [InlineData("42", "carts")]
    public void A_bucket_in_xxhash_mode_prints_the_position_the_partition_is_taken_from(string key, string bucket)
    {
        var ring = RingClaim.Initial(64, ["a", "b", "c"]).Ring;
        ulong position = KeyPosition.Of(Encoding.UTF8.GetBytes(bucket), Encoding.UTF8.GetBytes(key));

        var run = RingCtlRun.Of("locate", "--nodes", "a,b,c", "--key", key, "--bucket", bucket);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.OutputLines, line => line.StartsWith("Hash: xxhash", StringComparison.Ordinal)
            && line.EndsWith($"ring position {position:x16}", StringComparison.Ordinal));
        Assert.Contains($"Partition: {ring.PartitionOf(position)} of 64", run.OutputLines);
    }

    [Fact]
    public void Riak_mode_places_the_key_where_riak_would()
    {
        var ring = RingClaim.Initial(64, ["a", "b", "c", "d"]).Ring;
        int partition = RiakKeyHash.PartitionOf("users"u8, "alice"u8, 64);

        var run = RingCtlRun.Of("locate", "--nodes", "a,b,c,d", "--key", "alice", "--hash", "riak", "--bucket", "users");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Partition: {partition} of 64", run.OutputLines);
        var rows = run.TableAfter("Preference list");
        Assert.Equal(3, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var expected = PreferenceRows(ring, partition, 3)[i];
            Assert.Equal(expected[0], rows[i][0]);
            Assert.Equal(expected[1], rows[i][1]);
            Assert.Equal(expected[2], rows[i][3]);
        }
    }

    [Fact]
    public void Riak_mode_reads_keys_from_a_file_with_the_bucket()
    {
        byte[] bucket = [0x01, 0x02, 0x03];
        string[] keys = ["00", "ff", "6b6579"];
        string path = WriteTempFile(string.Join('\n', keys));
        try
        {
            var run = RingCtlRun.Of("locate", "--ring-size", "1024", "--nodes", "a,b,c", "--keys-from", path,
                "--hash", "riak", "--bucket-hex", "010203");

            Assert.Equal(0, run.ExitCode);
            var expected = keys.Select(k => $"{k} {Text(RiakKeyHash.PartitionOf(bucket, Convert.FromHexString(k), 1024))}");
            Assert.Equal(expected, run.OutputLines);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void N_val_above_the_node_count_is_shown_with_a_warning()
    {
        var run = RingCtlRun.Of("locate", "--nodes", "a,b", "--key", "k", "--n-val", "3");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("warning", run.Error);
        Assert.Contains("--n-val 3", run.Error);
        Assert.Equal(3, run.TableAfter("Preference list").Count);
    }

    internal static string WriteTempFile(string contents)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ringctl-keys-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, contents);
        return path;
    }

    private static string[][] PreferenceRows(RingState ring, int partition, int nVal)
    {
        var owners = PreferenceTable.Build(ring, nVal).ForPartition(partition, nVal).ToArray();
        return owners.Select((owner, i) => new[]
        {
            Text(i + 1),
            Text((partition + i) % ring.PartitionCount),
            ring.Members[owner].Name,
        }).ToArray();
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
