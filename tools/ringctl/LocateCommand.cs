using System.CommandLine;
using System.Globalization;
using System.Text;
using RingCore.Storage;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// <c>ringctl locate</c>: the partition a key hashes to and the nodes that hold its replicas,
/// what Cassandra users know as <c>nodetool getendpoints</c>. With <c>--keys-from</c> it prints
/// one plain <c>key_hex partition</c> line per key, for scripts to diff.
/// </summary>
internal static class LocateCommand
{
    private const string Name = "locate";
    private const int DefaultNVal = 3;

    public static Command Create(CommandContext context)
    {
        var ring = new RingArguments();
        var key = new Option<string>("--key") { HelpName = "text", Description = $"The key, as text (hashed as its UTF-8 bytes): 1 to {StorageLimits.MaxKeyBytes} bytes, as the store takes." };
        var keyHex = new Option<string>("--key-hex") { HelpName = "hex", Description = "The key, as hex bytes (for example 0a0b0c)." };
        var keysFrom = new Option<string>("--keys-from")
        {
            HelpName = "file",
            Description = "A file of hex keys, one per line; prints 'key_hex partition' per key.",
        };
        var nVal = new Option<int>("--n-val")
        {
            HelpName = "N",
            Description = "How many replicas the preference list shows (not with --keys-from, which prints partitions only).",
            DefaultValueFactory = _ => DefaultNVal,
        };
        var hash = new Option<string>("--hash")
        {
            HelpName = "xxhash|riak",
            Description = "How keys map to partitions: xxhash (RingCore's) or riak (SHA-1 of {Bucket, Key}, as riak_core).",
            DefaultValueFactory = _ => "xxhash",
        };
        var bucket = new Option<string>("--bucket")
        {
            HelpName = "text",
            Description = $"The bucket (or actor type), as text: keys hash within it; not empty, and with xxhash at most {StorageLimits.MaxBucketNameBytes} bytes. Required with --hash riak.",
        };
        var bucketHex = new Option<string>("--bucket-hex") { HelpName = "hex", Description = "The bucket, as hex bytes; instead of --bucket." };

        var command = new Command(Name, "Show the partition of a key and the nodes of its preference list.");
        ring.AddTo(command);
        command.Options.Add(key);
        command.Options.Add(keyHex);
        command.Options.Add(keysFrom);
        command.Options.Add(nVal);
        command.Options.Add(hash);
        command.Options.Add(bucket);
        command.Options.Add(bucketHex);
        command.SetAction(parse => context.Run(Name, () =>
        {
            var setup = ring.Read(parse);
            var mode = ReadHashMode(parse.GetValue(hash));
            string? bucketText = parse.GetValue(bucket);
            byte[]? bucketBytes = ReadBucket(mode, bucketText, parse.GetValue(bucketHex));
            string? keyText = parse.GetValue(key);
            string? keyHexText = parse.GetValue(keyHex);
            string? keysFile = parse.GetValue(keysFrom);
            CheckOneKeySource(keyText, keyHexText, keysFile);
            if (keysFile is not null && parse.GetResult(nVal) is { Implicit: false })
            {
                throw new UsageException("--n-val has no effect with --keys-from, which prints each key's partition only; leave --n-val out, or locate one key with --key.");
            }

            int replicas = ReadNVal(parse.GetValue(nVal), setup.PartitionCount);

            var locator = new KeyLocator(setup.Initial.Ring, mode, bucketBytes);
            if (keysFile is not null)
            {
                WriteKeyLines(context.Output, locator, KeyFile.Read(keysFile));
                return ExitCodes.Success;
            }

            byte[] keyBytes = keyText is not null ? CheckKey("--key", Encoding.UTF8.GetBytes(keyText)) : CheckKey("--key-hex", HexBytes.ParseOption("--key-hex", keyHexText!));
            WarnIfReplicasMayShareNodes(context, setup, replicas);
            new LocateReport(context.Console, setup).Write(locator, keyBytes, keyText, bucketText, replicas);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static KeyHashMode ReadHashMode(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "xxhash" => KeyHashMode.XxHash,
        "riak" => KeyHashMode.Riak,
        _ => throw new UsageException($"--hash: unknown hash '{value}'; use xxhash or riak."),
    };

    private static byte[]? ReadBucket(KeyHashMode mode, string? text, string? hex)
    {
        if (text is not null && hex is not null)
        {
            throw new UsageException("--bucket and --bucket-hex were both given; give one.");
        }

        if (mode == KeyHashMode.XxHash && text is null && hex is null)
        {
            return null; // the key alone
        }

        if (text is null && hex is null)
        {
            throw new UsageException("--hash riak needs --bucket or --bucket-hex: riak hashes the bucket with the key.");
        }

        string option = text is not null ? "--bucket" : "--bucket-hex";
        byte[] bytes = text is not null ? Encoding.UTF8.GetBytes(text) : HexBytes.ParseOption(option, hex!);
        if (bytes.Length == 0)
        {
            // RingCore refuses an empty bucket name, and so does riak ("Bucket cannot be zero-length").
            throw new UsageException(mode == KeyHashMode.XxHash
                ? $"{option}: the bucket is empty, and a bucket name must not be; leave {option} out to hash the key alone."
                : $"{option}: the bucket is empty, and riak refuses an empty bucket name.");
        }

        if (mode == KeyHashMode.XxHash && bytes.Length > StorageLimits.MaxBucketNameBytes)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{option}: a bucket name must be at most {StorageLimits.MaxBucketNameBytes} UTF-8 bytes (got {bytes.Length})."));
        }

        return bytes;
    }

    /// <summary>The key, if the store would take it: 1 to <see cref="StorageLimits.MaxKeyBytes"/> bytes.</summary>
    private static byte[] CheckKey(string option, byte[] key)
    {
        try
        {
            StorageLimits.CheckKey(key);
            return key;
        }
        catch (ArgumentException exception)
        {
            throw UsageException.For(option, exception);
        }
    }

    private static int ReadNVal(int nVal, int partitionCount)
    {
        // A preference list walks partitions p, p+1, ...: it cannot be longer than the ring.
        if (nVal < 1 || nVal > partitionCount)
        {
            throw new UsageException($"--n-val must be from 1 to {partitionCount} (the ring size) (got {nVal}).");
        }

        return nVal;
    }

    private static void CheckOneKeySource(string? key, string? keyHex, string? keysFrom)
    {
        var given = new List<string>(3);
        if (key is not null)
        {
            given.Add("--key");
        }

        if (keyHex is not null)
        {
            given.Add("--key-hex");
        }

        if (keysFrom is not null)
        {
            given.Add("--keys-from");
        }

        if (given.Count == 0)
        {
            throw new UsageException("no key given: use --key, --key-hex or --keys-from.");
        }

        if (given.Count > 1)
        {
            string which = given.Count == 2 ? "both" : "all";
            throw new UsageException($"{string.Join(" and ", given)} were {which} given; give exactly one of --key, --key-hex or --keys-from.");
        }
    }

    private static void WarnIfReplicasMayShareNodes(CommandContext context, RingSetup setup, int replicas)
    {
        // Not an error: riak also serves an n_val above its node count, with replicas doubled up.
        // Claim only promises distinct owners within target_n consecutive partitions.
        int nodes = setup.Initial.Ring.Members.Length;
        if (replicas > nodes)
        {
            context.Warn(Name, $"--n-val {replicas} is more than the {nodes} nodes, so some replicas share a node.");
        }
        else if (replicas > setup.Claim.TargetN)
        {
            context.Warn(Name, $"--n-val {replicas} is more than target_n {setup.Claim.TargetN}; claim keeps only {setup.Claim.TargetN} consecutive owners distinct, so replicas may share a node.");
        }
    }

    private static void WriteKeyLines(TextWriter output, KeyLocator locator, IReadOnlyList<byte[]> keys)
    {
        foreach (byte[] key in keys)
        {
            output.WriteLine($"{HexBytes.Format(key)} {locator.PartitionOf(key).ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
