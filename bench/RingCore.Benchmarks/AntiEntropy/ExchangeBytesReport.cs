using System.Diagnostics;
using System.Globalization;
using RingCore.AntiEntropy;

namespace RingCore.Benchmarks.AntiEntropy;

/// <summary>
/// The standalone <c>exchange-bytes</c> mode: runs <see cref="ExchangeScenario"/>'s exchange once
/// and prints the requests and the bytes of every request and reply frame (what
/// <see cref="RemoteTree.Bytes"/> counts), for the tree comparison and for the whole exchange,
/// against the issue's target of 256 KiB, and the live heap one million-key tree keeps. The
/// scenario is seeded, so the figures are the same on every run.
/// </summary>
internal static class ExchangeBytesReport
{
    /// <summary>The command-line argument that selects this mode instead of BenchmarkDotNet.</summary>
    public const string Argument = "exchange-bytes";

    private const int TargetBytes = 256 * 1024;

    /// <summary>Runs the exchange and writes the report to <paramref name="output"/>.</summary>
    public static async Task RunAsync(TextWriter output)
    {
        var (treeBytes, keyCount) = LiveBytesOfOneTree();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"one tree of {keyCount:N0} keys of 23 bytes keeps {treeBytes / (1024.0 * 1024.0):F1} MiB live: {treeBytes / (double)keyCount:F0} bytes per key"));

        var build = Stopwatch.StartNew();
        var scenario = ExchangeScenario.Create();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"two trees of {scenario.Local.Count:N0} and {scenario.Remote.Count:N0} keys built in {build.Elapsed.TotalSeconds:F1} s"));

        var remote = scenario.NewRemoteSide();
        var timer = Stopwatch.StartNew();
        var differences = await scenario.CompareAsync(remote);
        var compared = timer.Elapsed;
        int compareRequests = remote.Requests;
        long compareBytes = remote.Bytes;
        int repairs = await scenario.FetchAndRepairAsync(remote, differences);
        var total = timer.Elapsed;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tree comparison: {differences.Count} differing keys, {compareRequests} requests, {compareBytes:N0} bytes ({compareBytes / 1024.0:F1} KiB), {compared.TotalMilliseconds:F1} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"objects fetched and {repairs} repairs sent: {remote.Requests - compareRequests} requests, {remote.Bytes - compareBytes:N0} bytes"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"whole exchange: {remote.Requests} requests, {remote.Bytes:N0} bytes ({remote.Bytes / 1024.0:F1} KiB, target {TargetBytes / 1024} KiB), {total.TotalMilliseconds:F1} ms"));

        // Where the comparison's bytes go: the inner nodes and segments that differ.
        for (int level = 1; level <= HashTree.Depth; level++)
        {
            int differing = 0;
            for (int index = 0; index < 1 << (4 * level); index++)
            {
                differing += scenario.Local.HashOf(level, index) != scenario.Remote.HashOf(level, index) ? 1 : 0;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"level {level}: {differing} of {1 << (4 * level)} nodes differ{(level < HashTree.Depth ? $" ({differing * HashTree.Fanout} child hashes asked next)" : " (segments whose entries are asked)")}"));
        }
    }

    /// <summary>The managed heap a tree of a million keys keeps (its own copies of the keys included), between full collections.</summary>
    private static (long Bytes, int Keys) LiveBytesOfOneTree()
    {
        var keys = AntiEntropyData.Keys(0, AntiEntropyData.TreeKeys);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var tree = new HashTree();
        for (int i = 0; i < keys.Length; i++)
        {
            tree.Set(keys[i], (ulong)i);
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(keys);
        return (after - before, tree.Count);
    }
}
