// Starts a lone RingNode on FASTER storage and prints how long its start took and the process's
// resident memory: on an empty data directory, after writing to the partitions, and on a restart
// of the same directory.
//
//   dotnet run -c Release --project bench/RingCore.FasterStartup -- [partitions] [keys-per-partition]
//
// partitions defaults to 1024 (the target: an empty node starts in under 5 s and under
// 512 MB resident); keys-per-partition (default 4) sets how many keys are written, spread over
// the partitions by their hash, before the restart (0 skips the writes). Each run is one fresh
// process, so the resident figures are the node's and the runtime's, nothing else's.
using System.Diagnostics;
using System.Globalization;
using RingCore.Benchmarks.FasterStartup;
using RingCore.Causality;
using RingCore.Node;
using RingCore.Storage.Faster;

int partitions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
int keysPerPartition = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
string dataDirectory = Path.Combine(Path.GetTempPath(), "ringcore-faster-startup-" + Guid.NewGuid().ToString("N"));
var output = Console.Out;
var options = new RingNodeOptions { PartitionCount = partitions };
var storage = new FasterStorageOptions
{
    DataDirectory = dataDirectory,

    // A node whose load is FASTER writes, the case the option is for (its documentation).
    RaiseThreadPoolMinimum = Environment.GetEnvironmentVariable("RINGCORE_BENCH_RAISE_THREADS") == "1",
};
try
{
    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"faster-startup: a lone node, Q = {partitions}, FASTER defaults (index {storage.IndexSize / 1024} KiB, log memory {storage.LogMemorySize / 1024} KiB, page {storage.LogPageSize / 1024} KiB), RaiseThreadPoolMinimum {storage.RaiseThreadPoolMinimum}, {Program.Concurrency} puts in flight, {Environment.ProcessorCount} cores"));
    ResidentMemory.Report(output, "before the first start");
    await FirstRunAsync(output, options, storage, keysPerPartition);
    ResidentMemory.Report(output, "after it stopped");
    await RestartAsync(output, options, storage);
    ResidentMemory.Report(output, "after it stopped");
}
finally
{
    Directory.Delete(dataDirectory, recursive: true);
}

static async Task FirstRunAsync(TextWriter output, RingNodeOptions options, FasterStorageOptions storage, int keysPerPartition)
{
    await using var node = await StartAsync(output, "first start (empty data directory)", options, storage);
    if (keysPerPartition == 0)
    {
        return;
    }

    long before = ResidentMemory.Bytes();
    var clock = Stopwatch.StartNew();
    int keys = options.PartitionCount * keysPerPartition;
    await WriteKeysAsync(node, keys);
    int opened = Directory.GetDirectories(storage.DataDirectory!, "partition-*").Length;
    long after = ResidentMemory.Bytes();
    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"wrote {keys:N0} keys in {clock.Elapsed.TotalSeconds:N2} s: {opened:N0} partitions opened, {(after - before) / 1048576.0 / opened:N2} MiB resident each"));
    ResidentMemory.Report(output, "  after the writes");
}

static async Task RestartAsync(TextWriter output, RingNodeOptions options, FasterStorageOptions storage)
{
    await using var node = await StartAsync(output, "restart (the same data directory)", options, storage);
}

static async Task<RingNode> StartAsync(TextWriter output, string what, RingNodeOptions options, FasterStorageOptions storage)
{
    var clock = Stopwatch.StartNew();
    var node = await RingNode.StartAsync(options, services: new RingNodeServices { Storage = new FasterVNodeStoreProvider(storage) });
    clock.Stop();
    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {clock.Elapsed.TotalSeconds:N2} s"));
    ResidentMemory.Report(output, "  after it");
    return node;
}

static async Task WriteKeysAsync(RingNode node, int count)
{
    var value = new byte[100];
    var writes = new List<Task>();
    for (int i = 0; i < count; i++)
    {
        writes.Add(node.PutAsync("bench", "key-" + i.ToString(CultureInfo.InvariantCulture), value, CausalContext.Empty));
        if (writes.Count == Concurrency)
        {
            await Task.WhenAll(writes);
            writes.Clear();
        }
    }

    await Task.WhenAll(writes);
}

/// <summary>Settings of the measurement.</summary>
internal static partial class Program
{
    /// <summary>Puts in flight at once while writing.</summary>
    internal static readonly int Concurrency = int.Parse(Environment.GetEnvironmentVariable("RINGCORE_BENCH_CONCURRENCY") ?? "8", CultureInfo.InvariantCulture);
}
