using RingCore.Storage;
using RingCore.Storage.Faster;
using static RingCore.Tests.Storage.VNodeStoreContractTests;

namespace RingCore.Tests.Storage.Faster;

/// <summary>
/// SIGKILL a process while it writes to a FASTER store, then recover the store here. With
/// commit-before-acknowledge, every write the process reported as done must be there; with a
/// commit interval, what survives must be a prefix of the writes and lose at most about an interval.
/// </summary>
public sealed class FasterCrashTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Every_acknowledged_write_survives_a_kill_in_commit_before_acknowledge_mode()
    {
        // Three kills at different points of one store: each run recovers the last run's data,
        // writes on (4 concurrent writers, so commits are shared) and is killed again.
        var acknowledged = new HashSet<long>();
        long next = 0;
        foreach (int killAfter in new[] { 150, 37, 260 })
        {
            var run = await CrashHostProcess.RunAndKillAsync(_directory.Path, "before-ack", next, writers: 4, (acks, _) => acks >= killAfter);
            Assert.True(run.Acks.Count >= killAfter);
            acknowledged.UnionWith(run.Acks.Select(a => a.Key));
            next = acknowledged.Max() + 1;

            var stored = await RecoverAsync();
            var missing = acknowledged.Where(n => !stored.ContainsKey(n)).Order().Take(10).ToArray();
            Assert.True(missing.Length == 0, $"acknowledged but lost after the kill: key-{string.Join(", key-", missing)} (of {acknowledged.Count} acknowledged)");
            foreach (long n in acknowledged)
            {
                Assert.Equal(CrashHostProcess.Value(n), stored[n].Value);
                Assert.Equal(CrashHostProcess.Metadata(n), stored[n].Metadata);
            }
        }
    }

    [Fact]
    public async Task Commit_interval_mode_keeps_a_prefix_and_loses_at_most_about_an_interval()
    {
        // One sequential writer, committed every 100 ms. A FASTER checkpoint holds every write
        // completed before it began (CPR), so what survives is key-0 .. key-(m-1) for some m.
        // Any write acknowledged more than an interval plus a generous margin before the kill
        // (for the commit itself on a loaded machine) must be in it.
        var window = TimeSpan.FromMilliseconds(100) + TimeSpan.FromSeconds(1.2);
        var run = await CrashHostProcess.RunAndKillAsync(_directory.Path, "interval", 0, writers: 1, (_, elapsed) => elapsed >= TimeSpan.FromSeconds(2));

        var stored = await RecoverAsync();

        long survivors = stored.Count;
        Assert.All(stored.Keys, n => Assert.True(n < survivors, $"key-{n} survived but not every key before it ({survivors} keys survived)"));
        Assert.All(stored, pair => Assert.Equal(CrashHostProcess.Value(pair.Key), pair.Value.Value));
        long mustSurvive = run.Acks.Count(a => a.At <= run.KilledAt - window);
        Assert.True(mustSurvive > 0, "the host acknowledged nothing early enough for the test to check");
        Assert.True(survivors >= mustSurvive, $"only {survivors} keys survived, but {mustSurvive} were acknowledged more than {window.TotalMilliseconds} ms before the kill");
    }

    /// <summary>Recovers partition 0 in this process and folds it into key number -> (value, metadata).</summary>
    private async Task<Dictionary<long, (string Value, byte[] Metadata)>> RecoverAsync()
    {
        var result = new Dictionary<long, (string, byte[])>();
        await using var store = await FasterTestStores.OpenAsync(0, new FasterStorageOptions { DataDirectory = _directory.Path });
        await foreach (var entry in store.FoldAsync())
        {
            long n = long.Parse(Text(entry.Key).AsSpan("key-".Length), System.Globalization.CultureInfo.InvariantCulture);
            result.Add(n, (Text(entry.Object.Value), entry.Object.Metadata.ToArray()));
        }

        return result;
    }
}
