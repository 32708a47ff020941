using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RingCore.Client;
using RingCore.IntegrationTests.Processes;
using Xunit.Abstractions;

namespace RingCore.IntegrationTests;

/// <summary>
/// Issue 15's done-when: real ringd processes on loopback, driven through ringctl as an operator
/// drives them. Three nodes join; 10,000 keys and 1,000 actor updates are written; a fourth and a
/// fifth join; one is killed with SIGKILL while writes go on (N = 3, W = 2: every one succeeds);
/// it restarts; one node leaves; the killed one is force-removed if still down. Then every
/// acknowledged key and counter reads back, and ownership is balanced.
/// </summary>
public sealed class ClusterLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private const string Secret = "integration-secret";
    private const string Bucket = "lifecycle";
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("ringcore-cluster-");
    private readonly List<RingdNode> _nodes = [];
    private readonly ConcurrentDictionary<string, string> _acknowledged = new();
    private readonly ConcurrentDictionary<string, long> _counters = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        _root.Delete(recursive: true);
    }

    [Fact]
    public async Task Five_nodes_join_take_writes_survive_a_sigkill_a_leave_and_a_force_remove_and_lose_nothing()
    {
        int[] ports = FreePorts.Take(5);
        for (int i = 0; i < 5; i++)
        {
            _nodes.Add(new RingdNode(_root.FullName, $"n{i + 1}", ports[i], Secret));
        }

        var (n1, n2, n3, n4, n5) = (_nodes[0], _nodes[1], _nodes[2], _nodes[3], _nodes[4]);
        await Task.WhenAll(n1.StartAsync(), n2.StartAsync(), n3.StartAsync());
        Log("3 nodes started");
        await JoinAsync(n1, n2, n3);
        await CommitAndSettleAsync(n1, expectedMembers: 3);
        Log("3 nodes joined and settled");

        await using var client = new RingClient(new RingClientOptions { Nodes = [n1.Address, n2.Address, n3.Address], Secret = Secret, Timeout = TimeSpan.FromSeconds(10) });
        await WriteKeysAsync(client, 0, 10_000);
        await UpdateCountersAsync(client, 0, 1_000);
        Log("10,000 keys and 1,000 actor updates written");

        await Task.WhenAll(n4.StartAsync(), n5.StartAsync());
        await JoinAsync(n1, n4, n5);
        var commit = await RingCtl.JsonAsync(_root.FullName, n1.Address, Secret, "cluster", "commit");
        Assert.True(commit.GetProperty("transfers").GetArrayLength() > 0);
        Log("n4 and n5 committed; transfers running");

        // SIGKILL while the transfers run; writes go on through the other nodes, and each one is acknowledged.
        n2.Kill();
        Log("n2 killed");
        await using (var survivors = new RingClient(new RingClientOptions { Nodes = [n1.Address, n3.Address, n4.Address, n5.Address], Secret = Secret, Timeout = TimeSpan.FromSeconds(10) }))
        {
            await WriteKeysAsync(survivors, 10_000, 2_000);
            Log("2,000 keys written with n2 killed");

            // An ask is not repeated safely (an increment counts twice), so the actor updates wait
            // until the survivors route around n2: their hosts move to fallbacks. Each survivor
            // detects the kill on its own, and the client may send through any of them (it keeps
            // to the last node that answered, which a put unavailable on n1 moved on).
            RingdNode[] survivorNodes = [n1, n3, n4, n5];
            await WaitUntilAsync(async () =>
            {
                foreach (var survivor in survivorNodes)
                {
                    var status = await RingCtl.JsonAsync(_root.FullName, survivor.Address, Secret, "member-status");
                    if (!status.GetProperty("members").EnumerateArray().Any(m => m.GetProperty("name").GetString() == n2.Name && !m.GetProperty("reachable").GetBoolean()))
                    {
                        return false;
                    }
                }

                return true;
            }, "every survivor sees n2 down");
            await UpdateCountersAsync(survivors, 1_000, 200);
            Log("200 actor updates with n2 down");
        }

        await n2.StartAsync(); // from its ring file and its FASTER data: the same member again
        await WaitUntilAsync(async () => Member(await RingCtl.JsonAsync(_root.FullName, n1.Address, Secret, "member-status"), n2.Name).GetProperty("reachable").GetBoolean(),
            "n1 sees the restarted n2 up");
        await SettleAsync(n1, expectedMembers: 5);
        Log("n2 restarted; 5 nodes settled");

        await RingCtl.JsonAsync(_root.FullName, n1.Address, Secret, "cluster", "leave", n3.Name);
        await RingCtl.JsonAsync(_root.FullName, n1.Address, Secret, "cluster", "plan");
        await RingCtl.JsonAsync(_root.FullName, n1.Address, Secret, "cluster", "commit");
        await SettleAsync(n1, expectedMembers: 4);
        Log("n3 left");
        Assert.Equal(0, await n3.StopAsync());

        // The killed node came back; were it still down, it would be force-removed here.
        var members = await RingCtl.JsonAsync(_root.FullName, n1.Address, Secret, "member-status");
        if (!Member(members, n2.Name).GetProperty("reachable").GetBoolean())
        {
            await RingCtl.JsonAsync(_root.FullName, n1.Address, Secret, "cluster", "force-remove", n2.Name);
            await RingCtl.JsonAsync(_root.FullName, n1.Address, Secret, "cluster", "commit");
            await SettleAsync(n1, expectedMembers: 3);
        }

        // Every acknowledged write reads back, from every node still in the cluster.
        var remaining = _nodes.Where(n => n.Running && n != n3).ToArray();
        await using var reader = new RingClient(new RingClientOptions { Nodes = [.. remaining.Select(n => n.Address)], Secret = Secret, Timeout = TimeSpan.FromSeconds(10) });
        int lost = 0;
        await Parallel.ForEachAsync(_acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (pair, _) =>
        {
            var read = await reader.GetAsync(Bucket, pair.Key);
            if (!read.Found || !read.Values.Any(v => Encoding.UTF8.GetString(v.Span) == pair.Value))
            {
                Interlocked.Increment(ref lost);
            }
        });
        Assert.Equal(0, lost);
        foreach (var (key, expected) in _counters)
        {
            Assert.Equal(expected, await reader.AskAsync<object, long>("counter", key, new { }, BuiltInActors.Get));
        }

        Log($"{_acknowledged.Count} keys and {_counters.Count} counters read back");

        // Ownership is balanced: every valid member owns Q / members, give or take one.
        var final = await RingCtl.JsonAsync(_root.FullName, n1.Address, Secret, "member-status");
        var valid = final.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("status").GetString() == "valid").ToArray();
        Assert.Equal(remaining.Length, valid.Length);
        int q = final.GetProperty("partitionCount").GetInt32();
        Assert.All(valid, m => Assert.InRange(m.GetProperty("partitions").GetInt32(), q / valid.Length, (q + valid.Length - 1) / valid.Length));

        foreach (var node in remaining)
        {
            Assert.Equal(0, await node.StopAsync());
        }
    }

    private async Task JoinAsync(RingdNode seed, params RingdNode[] joiners)
    {
        foreach (var joiner in joiners)
        {
            await RingCtl.JsonAsync(_root.FullName, joiner.Address, Secret, "cluster", "join", seed.Name);
        }

        var plan = await RingCtl.JsonAsync(_root.FullName, seed.Address, Secret, "cluster", "plan");
        Assert.Equal(joiners.Length, plan.GetProperty("changes").GetArrayLength());
    }

    private async Task CommitAndSettleAsync(RingdNode node, int expectedMembers)
    {
        await RingCtl.JsonAsync(_root.FullName, node.Address, Secret, "cluster", "commit");
        await SettleAsync(node, expectedMembers);
    }

    /// <summary>Waits until the node's ring lists no pending transfer and exactly the expected members, all valid.</summary>
    private Task SettleAsync(RingdNode node, int expectedMembers) => WaitUntilAsync(async () =>
    {
        var ring = await RingCtl.JsonAsync(_root.FullName, node.Address, Secret, "ring-status");
        if (ring.GetProperty("pending").GetArrayLength() > 0)
        {
            return false;
        }

        var members = (await RingCtl.JsonAsync(_root.FullName, node.Address, Secret, "member-status")).GetProperty("members").EnumerateArray().ToArray();
        return members.Length == expectedMembers && members.All(m => m.GetProperty("status").GetString() == "valid");
    }, $"{expectedMembers} valid members and no pending transfer");

    private async Task WriteKeysAsync(RingClient client, int first, int count)
    {
        int failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(first, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            string key = $"key-{i:D6}", value = $"value-{i}";
            try
            {
                await client.PutAsync(Bucket, key, Encoding.UTF8.GetBytes(value), quorum: new RingQuorum { W = 2 });
                _acknowledged[key] = value;
            }
            catch (RingClientException error)
            {
                Interlocked.Increment(ref failed);
                output.WriteLine($"put {key} failed: {error.Message}");
            }
        });
        Assert.Equal(0, failed);
    }

    private async Task UpdateCountersAsync(RingClient client, int first, int updates)
    {
        int failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(first, updates), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            string key = $"counter-{i % 100:D3}";
            try
            {
                await client.AskAsync<object, long>("counter", key, new { by = 1 }, BuiltInActors.Increment);
                _counters.AddOrUpdate(key, 1, (_, value) => value + 1);
            }
            catch (RingClientException error)
            {
                Interlocked.Increment(ref failed);
                output.WriteLine($"increment {key} failed: {error.Message}");
            }
        });
        Assert.Equal(0, failed);
    }

    private static JsonElement Member(JsonElement status, string name) =>
        status.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"not reached in 3 minutes: {what}");
            await Task.Delay(500);
        }
    }

    private void Log(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:N1} s  {what}");
}
