using System.Text;
using RingCore.Causality;
using RingCore.Membership;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Membership;

/// <summary>
/// Issue 13 on the simulated cluster, in virtual time: joins, leaves, force-removes and
/// replaces through the claimant, ownership handoff and hinted handoff, with nothing lost.
/// </summary>
public sealed class ClusterMembershipTests
{
    private const string Bucket = "b";
    private static readonly QuorumOptions Quorum = new() { Timeout = TimeSpan.FromSeconds(2) };

    private static T Simulate<T>(int seed, Func<Simulator, Task<T>> body)
    {
        var simulator = new Simulator(seed);
        return simulator.Run(() => body(simulator), TimeSpan.FromHours(2));
    }

    private static TestCluster NewCluster(Simulator simulator, int members, int seed, int ringSize = 64) =>
        new(members, ringSize, nVal: 3, seed: seed, time: simulator.Time, scheduler: simulator.Scheduler);

    private static async Task WriteAsync(TestCluster cluster, string node, string key, string value)
    {
        await cluster.Node(node).PutAsync(Bucket, key, Encoding.UTF8.GetBytes(value), CausalContext.Empty, Quorum);
    }

    /// <summary>Reads every key from the primaries of the settled ring only (R = N = 3, PR = 3) and returns key -> values.</summary>
    private static async Task<Dictionary<string, string[]>> ReadAllAsync(TestCluster cluster, IEnumerable<string> keys)
    {
        var all = new QuorumOptions { R = 3, PR = 3, Timeout = TimeSpan.FromSeconds(2) };
        var node = cluster.Node(cluster.Members[0]);
        var result = new Dictionary<string, string[]>();
        foreach (var key in keys)
        {
            var read = await node.GetAsync(Bucket, key, all);
            result[key] = [.. read.Values.Select(v => Encoding.UTF8.GetString(v.Span)).Order()];
        }

        return result;
    }

    [Fact]
    public void Three_nodes_grow_to_five_and_shrink_to_three_under_a_steady_write_load_and_no_acknowledged_write_is_lost()
    {
        var outcome = Simulate(13, async simulator =>
        {
            var cluster = NewCluster(simulator, 3, seed: 13);
            cluster.Network.Faults = new RingCore.Transport.NetworkFaults { MinDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(4) };
            var keys = Enumerable.Range(0, 300).Select(i => $"k{i}").ToArray();
            foreach (var key in keys)
            {
                await WriteAsync(cluster, "n1", key, key);
            }

            // A writer that never stops while the cluster grows and shrinks: a new key every 20 ms
            // through whichever member is first, each acknowledged one recorded.
            bool stop = false;
            var acknowledged = new List<string>();
            int attempted = 0;
            var writer = WriteSteadilyAsync(); // on the simulation's thread, like every await here
            async Task WriteSteadilyAsync()
            {
                for (int i = 0; !stop; i++)
                {
                    string key = $"w{i}";
                    attempted++;
                    try
                    {
                        await WriteAsync(cluster, cluster.Members[i % cluster.Members.Count], key, key);
                        acknowledged.Add(key);
                    }
                    catch (Exception error) when (error is QuorumException or ObjectDisposedException)
                    {
                        // Not acknowledged (a member that just left, or a quorum cut short): not counted.
                    }

                    await simulator.Delay(TimeSpan.FromMilliseconds(20));
                }
            }

            var grow = await cluster.JoinAsync("n4", "n5");
            Assert.NotEmpty(grow.Transfers);
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            var lackingAfterGrow = new List<string>();
            foreach (var key in keys)
            {
                lackingAfterGrow.AddRange((await cluster.PrimariesLackingAsync(Bucket, key)).Select(n => $"{key}@{n}"));
            }

            Assert.Empty(lackingAfterGrow); // the new owners got every object by handoff, before any read
            Assert.Empty(await cluster.MisplacedObjectsAsync()); // and the former owners dropped their copies
            var grown = cluster.Ring;
            var counts = grown.CountOwnedPartitions();
            Assert.Equal(5, grown.Members.Length);
            Assert.All(counts, c => Assert.InRange(c, 64 / 5, 64 / 5 + 1));
            var afterGrow = await ReadAllAsync(cluster, keys);

            await cluster.LeaveAsync("n4");
            await cluster.LeaveAsync("n5");
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            foreach (var key in keys)
            {
                Assert.Empty(await cluster.PrimariesLackingAsync(Bucket, key));
            }

            var afterShrink = await ReadAllAsync(cluster, keys);
            stop = true;
            await writer;
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            var written = await ReadAllAsync(cluster, acknowledged);
            return (afterGrow, afterShrink, cluster.Ring, cluster.Nodes, written, attempted);
        });

        Assert.True(outcome.written.Count > 100, $"{outcome.written.Count} of {outcome.attempted} writes during the changes were acknowledged");
        Assert.All(outcome.written, entry => Assert.Equal([entry.Key], entry.Value)); // every acknowledged write survived
        Assert.All(outcome.afterGrow, entry => Assert.Equal([entry.Key], entry.Value));
        Assert.All(outcome.afterShrink, entry => Assert.Equal([entry.Key], entry.Value));
        Assert.Equal(["n1", "n2", "n3"], outcome.Ring.Members.Select(m => m.Name));
        Assert.Equal(["n1", "n2", "n3"], outcome.Nodes);
    }
}

/// <summary>Hinted handoff and transfers cut by crashes (issue 13 points 3 and 4), on the simulated cluster in virtual time.</summary>
public sealed class HandoffTests
{
    private const string Bucket = "b";
    private static readonly QuorumOptions Quorum = new() { Timeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public void A_primary_crashed_for_30_seconds_under_writes_gets_its_hints_after_it_returns_and_no_fallback_keeps_any()
    {
        var simulator = new Simulator(31);
        var outcome = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, 64, nVal: 3, seed: 31, time: simulator.Time, scheduler: simulator.Scheduler);
            cluster.Crash("n3");
            await cluster.AwaitDetectionAsync(); // until then n3 is still the coordinator of some keys (about 1.8 s)
            var written = new List<string>();
            for (int i = 0; i < 300; i++)
            {
                string key = $"k{i}";
                await cluster.Node(i % 2 == 0 ? "n1" : "n2").PutAsync(Bucket, key, Encoding.UTF8.GetBytes(key), CausalContext.Empty, Quorum);
                written.Add(key);
                await simulator.Delay(TimeSpan.FromMilliseconds(100)); // 30 s of writes while n3 is down
            }

            var onN3 = written.Where(key => cluster.Node("n1").PrimariesOf(Bucket, key).Contains("n3")).ToList();
            var heldForN3 = (await cluster.MisplacedObjectsAsync()).Count;
            long handedBefore = cluster.Metrics.Count("ringcore.handoff.objects");

            cluster.Restart("n3");
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(2));

            var lacking = new List<string>();
            foreach (var key in written)
            {
                lacking.AddRange((await cluster.PrimariesLackingAsync(Bucket, key)).Select(n => $"{key}@{n}"));
            }

            return (onN3.Count, heldForN3, handed: cluster.Metrics.Count("ringcore.handoff.objects") - handedBefore, lacking,
                misplaced: await cluster.MisplacedObjectsAsync());
        }, TimeSpan.FromHours(1));

        Assert.True(outcome.Count > 100, $"n3 is a primary of {outcome.Count} of the 300 keys");
        Assert.True(outcome.heldForN3 > 0, "fallbacks held n3's writes while it was down");
        Assert.True(outcome.handed >= outcome.Count, $"hinted handoff sent {outcome.handed} objects for {outcome.Count} keys of n3");
        Assert.Empty(outcome.lacking); // every primary, n3 included, holds every key: no read repaired them
        Assert.Empty(outcome.misplaced); // and no fallback keeps a copy
    }

    [Fact]
    public void A_transfer_cut_by_a_crash_of_its_receiver_starts_again_after_the_restart_and_completes_with_nothing_lost()
    {
        var simulator = new Simulator(37);
        var outcome = simulator.Run(async () =>
        {
            var options = new RingCore.Node.RingNodeOptions { Handoff = { BatchObjects = 10 } };
            var cluster = new TestCluster(3, 64, nVal: 3, seed: 37, time: simulator.Time, scheduler: simulator.Scheduler, nodeOptions: options);
            var keys = Enumerable.Range(0, 600).Select(i => $"k{i}").ToArray();
            foreach (var key in keys)
            {
                await cluster.Node("n1").PutAsync(Bucket, key, Encoding.UTF8.GetBytes(key), CausalContext.Empty, Quorum);
            }

            // Messages take 1 to 5 ms, so the transfers take virtual time and a crash can cut one.
            cluster.Network.Faults = new RingCore.Transport.NetworkFaults { MinDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };
            await cluster.JoinAsync("n4");

            // Let the transfers to n4 start, then crash n4 in the middle of them.
            while (cluster.Metrics.Count("ringcore.handoff.objects") < 50)
            {
                await simulator.Delay(TimeSpan.FromMilliseconds(1));
            }

            int pendingAtCrash = cluster.Ring.Transfers.Length;
            cluster.Crash("n4");
            await simulator.Delay(TimeSpan.FromSeconds(40)); // the senders' batches time out; the transfers wait for n4
            long failed = cluster.Metrics.Count("ringcore.handoff.transfers_failed");
            cluster.Restart("n4");
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));

            var lacking = new List<string>();
            foreach (var key in keys)
            {
                lacking.AddRange((await cluster.PrimariesLackingAsync(Bucket, key)).Select(n => $"{key}@{n}"));
            }

            var all = new QuorumOptions { R = 3, PR = 3, Timeout = TimeSpan.FromSeconds(2) };
            int wrong = 0;
            foreach (var key in keys)
            {
                var read = await cluster.Node("n2").GetAsync(Bucket, key, all);
                wrong += read.Values.Count() == 1 && Encoding.UTF8.GetString(read.Values.First().Span) == key ? 0 : 1;
            }

            return (pendingAtCrash, failed, lacking, wrong, owned: cluster.Ring.CountOwnedPartitions()[cluster.Ring.IndexOfMember("n4")]);
        }, TimeSpan.FromHours(1));

        Assert.True(outcome.pendingAtCrash > 0, "n4 crashed while transfers were pending");
        Assert.True(outcome.failed > 0, "a transfer was cut by the crash");
        Assert.Empty(outcome.lacking);
        Assert.Equal(0, outcome.wrong); // one value per key: nothing lost, nothing duplicated into siblings
        Assert.Equal(16, outcome.owned);
    }
}

/// <summary>Replace, force-remove and actors that follow their partition (issue 13 points 2 and 5).</summary>
public sealed class MembershipChangeTests
{
    private const string Bucket = "b";
    private static readonly QuorumOptions Quorum = new() { Timeout = TimeSpan.FromSeconds(2) };

    private static async Task<string[]> WriteKeysAsync(TestCluster cluster, int count)
    {
        var keys = Enumerable.Range(0, count).Select(i => $"k{i}").ToArray();
        foreach (var key in keys)
        {
            await cluster.Node(cluster.Members[0]).PutAsync(Bucket, key, Encoding.UTF8.GetBytes(key), CausalContext.Empty, Quorum);
        }

        return keys;
    }

    private static async Task<List<string>> LackingAsync(TestCluster cluster, IEnumerable<string> keys)
    {
        var lacking = new List<string>();
        foreach (var key in keys)
        {
            lacking.AddRange((await cluster.PrimariesLackingAsync(Bucket, key)).Select(n => $"{key}@{n}"));
        }

        return lacking;
    }

    [Fact]
    public void A_replacement_takes_exactly_the_replaced_members_partitions_and_their_data()
    {
        var simulator = new Simulator(41);
        var outcome = simulator.Run(async () =>
        {
            var cluster = new TestCluster(4, 64, nVal: 3, seed: 41, time: simulator.Time, scheduler: simulator.Scheduler);
            var keys = await WriteKeysAsync(cluster, 300);
            var before = cluster.Ring;
            var plan = await cluster.ReplaceAsync("n2", "n5");
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return (before, plan, after: cluster.Ring, nodes: cluster.Nodes, lacking: await LackingAsync(cluster, keys),
                misplaced: await cluster.MisplacedObjectsAsync());
        }, TimeSpan.FromHours(1));

        var formerlyN2 = Enumerable.Range(0, 64).Where(p => outcome.before.OwnerMemberOf(p).Name == "n2").ToArray();
        Assert.Equal(formerlyN2, outcome.plan.Transfers.Select(t => t.Partition).ToArray());
        Assert.Equal(formerlyN2, Enumerable.Range(0, 64).Where(p => outcome.after.OwnerMemberOf(p).Name == "n5").ToArray());
        Assert.All(Enumerable.Range(0, 64).Except(formerlyN2), p => Assert.Equal(outcome.before.OwnerMemberOf(p).Name, outcome.after.OwnerMemberOf(p).Name));
        Assert.Equal(["n1", "n3", "n4", "n5"], outcome.nodes);
        Assert.Empty(outcome.lacking);
        Assert.Empty(outcome.misplaced);
    }

    [Fact]
    public void A_force_removed_member_is_gone_at_once_and_its_partitions_are_filled_from_the_other_replicas()
    {
        var simulator = new Simulator(43);
        var outcome = simulator.Run(async () =>
        {
            var cluster = new TestCluster(4, 64, nVal: 3, seed: 43, time: simulator.Time, scheduler: simulator.Scheduler);
            var keys = await WriteKeysAsync(cluster, 300);
            cluster.Crash("n4"); // gone for good: its disk is lost
            var plan = await cluster.ForceRemoveAsync("n4");
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            return (plan, ring: cluster.Ring, lacking: await LackingAsync(cluster, keys), misplaced: await cluster.MisplacedObjectsAsync());
        }, TimeSpan.FromHours(1));

        Assert.Equal(["n1", "n2", "n3"], outcome.ring.Members.Select(m => m.Name));
        Assert.All(outcome.plan.Transfers, t => Assert.NotEqual("n4", t.From));
        Assert.Contains(outcome.plan.Transfers, t => t.Kind == TransferKind.Repair);
        Assert.All(outcome.ring.CountOwnedPartitions(), c => Assert.InRange(c, 21, 22));
        Assert.Empty(outcome.lacking); // every key on all three primaries without a read: the repairs filled them
        Assert.Empty(outcome.misplaced);
    }

    [Fact]
    public void A_leave_of_the_last_member_and_a_commit_with_nothing_staged_are_refused_by_the_node_api()
    {
        var simulator = new Simulator(47);
        var (lastLeave, emptyCommit, unknown) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(1, 16, nVal: 1, seed: 47, time: simulator.Time, scheduler: simulator.Scheduler);
            var node = cluster.Node("n1");
            var lastLeave = await Assert.ThrowsAsync<ClusterChangeRefusedException>(() => node.StageAsync(new ClusterChange(ClusterChangeKind.Leave, "n1")));
            var emptyCommit = await Assert.ThrowsAsync<ClusterChangeRefusedException>(() => node.CommitAsync());
            var unknown = await Assert.ThrowsAsync<ClusterChangeRefusedException>(() => node.StageAsync(new ClusterChange(ClusterChangeKind.ForceRemove, "n9")));
            return (lastLeave.Message, emptyCommit.Message, unknown.Message);
        }, TimeSpan.FromHours(1));

        Assert.Contains("last valid member", lastLeave, StringComparison.Ordinal);
        Assert.Contains("Nothing is staged", emptyCommit, StringComparison.Ordinal);
        Assert.Contains("'n9' is not a member", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public void Actors_follow_their_partition_and_no_acknowledged_increment_is_lost_while_the_cluster_grows()
    {
        var simulator = new Simulator(53);
        var outcome = simulator.Run(async () =>
        {
            var cluster = new TestCluster(3, 64, nVal: 3, seed: 53, time: simulator.Time, scheduler: simulator.Scheduler,
                configureActors: actors => RingCore.Tests.Actors.CounterActor.Define(actors, "counter", RingCore.Actors.ActorDurability.WriteThrough),
                nodeOptions: new RingCore.Node.RingNodeOptions { Handoff = { BatchObjects = 5 } });
            cluster.Network.Faults = new RingCore.Transport.NetworkFaults { MinDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(3) };
            var keys = Enumerable.Range(0, 30).Select(i => $"a{i}").ToArray();
            var acked = keys.ToDictionary(k => k, _ => 0);
            var attempted = keys.ToDictionary(k => k, _ => 0);
            Task? joining = null;
            for (int round = 0; round < 40; round++)
            {
                if (round == 10)
                {
                    joining = cluster.JoinAsync("n4", "n5"); // the cluster grows while the actors take messages
                }

                foreach (var key in keys)
                {
                    attempted[key]++;
                    try
                    {
                        string via = cluster.Members[(round + key.Length) % cluster.Members.Count];
                        await cluster.Actors(via).GetActor("counter", key).Ask<object?>(new RingCore.Tests.Actors.CounterActor.Increment(), TimeSpan.FromSeconds(5));
                        acked[key]++;
                    }
                    catch (Exception error) when (error is TimeoutException or RingCore.Actors.ActorUnavailableException or InvalidOperationException)
                    {
                        // Failed with an error the caller can retry; it may or may not have been applied.
                    }
                }

                await simulator.Delay(TimeSpan.FromMilliseconds(50));
            }

            await joining!;
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(5));
            await simulator.Delay(TimeSpan.FromSeconds(1)); // well before the next passivation sweep (30 s): only the ring change moves them
            var counts = new Dictionary<string, long>();
            foreach (var key in keys)
            {
                counts[key] = await cluster.Actors("n1").GetActor("counter", key).Ask<long>(new RingCore.Tests.Actors.CounterActor.Get(), TimeSpan.FromSeconds(5));
            }

            var live = keys.ToDictionary(k => k, k => cluster.Activations.LiveOn("counter", Encoding.UTF8.GetBytes(k)));
            var hosts = keys.ToDictionary(k => k, k => cluster.Node("n1").HostOf(cluster.Node("n1").GetActor("counter", k)));
            return (acked, attempted, counts, live, hosts, members: cluster.Ring.Members.Length);
        }, TimeSpan.FromHours(1));

        Assert.Equal(5, outcome.members);
        Assert.Contains(outcome.hosts.Values, host => host is "n4" or "n5"); // some actors moved to the new nodes
        Assert.True(outcome.acked.Values.Sum() >= 30 * 40 * 9 / 10, $"{outcome.acked.Values.Sum()} of {30 * 40} increments acknowledged");
        foreach (var (key, count) in outcome.counts)
        {
            Assert.InRange(count, outcome.acked[key], outcome.attempted[key]); // none lost, none applied twice
            Assert.Equal([outcome.hosts[key]], outcome.live[key]); // one activation, on the partition's current host
        }
    }
}

/// <summary>What a receiver does with handed-off objects (issue 13 point 3): it merges, never overwrites.</summary>
public sealed class HandoffMergeTests
{
    [Fact]
    public void A_hint_handed_to_a_primary_that_took_a_concurrent_write_meanwhile_becomes_a_sibling_not_an_overwrite()
    {
        var simulator = new Simulator(59);
        var values = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, 64, nVal: 3, seed: 59, time: simulator.Time, scheduler: simulator.Scheduler);
            var primaries = cluster.Node("n1").PrimariesOf("b", "k");
            string p0 = primaries[0], p1 = primaries[1];

            // p0 is cut off: v1, written through p1, lands on p1, p2 and a fallback standing in for p0.
            cluster.Isolate(p0);
            await cluster.AwaitDetectionAsync();
            await cluster.Node(p1).PutAsync("b", "k", Encoding.UTF8.GetBytes("v1"), CausalContext.Empty, new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) });

            // Meanwhile a client on p0's side writes v2, concurrent with v1, to p0 alone.
            await cluster.Node(p0).PutAsync("b", "k", Encoding.UTF8.GetBytes("v2"), CausalContext.Empty, new QuorumOptions { W = 1, Timeout = TimeSpan.FromSeconds(2) });

            cluster.Heal();
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(2)); // the fallback hands v1 to p0

            var held = await cluster.Node(p0).ReadReplicaAsync("b", Encoding.UTF8.GetBytes("k"));
            return held!.Values.Select(v => Encoding.UTF8.GetString(ReplicaValuePayload(v))).Order().ToArray();
        }, TimeSpan.FromHours(1));

        Assert.Equal(["v1", "v2"], values); // on p0 itself, before any read could repair it
    }

    private static byte[] ReplicaValuePayload(ReadOnlyMemory<byte> stored) => RingCore.Replication.ReplicaValue.Payload(stored).ToArray();
}

/// <summary>Tombstones travel by hinted handoff like any object (issue 13 point 4).</summary>
public sealed class TombstoneHandoffTests
{
    [Fact]
    public void A_delete_taken_while_a_primary_was_down_reaches_it_by_hinted_handoff()
    {
        var simulator = new Simulator(61);
        var (held, misplaced, found) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, 64, nVal: 3, seed: 61, time: simulator.Time, scheduler: simulator.Scheduler);
            var quorum = new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) };
            var primaries = cluster.Node("n1").PrimariesOf("b", "k");
            string writer = primaries[0], down = primaries[2];
            var context = await cluster.Node(writer).PutAsync("b", "k", Encoding.UTF8.GetBytes("v1"), CausalContext.Empty, quorum);
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(1));

            cluster.Crash(down); // it keeps v1 on disk while the others delete it
            await cluster.AwaitDetectionAsync();
            await cluster.Node(writer).DeleteAsync("b", "k", context, quorum);
            await simulator.Delay(TimeSpan.FromSeconds(5));
            cluster.Restart(down);
            await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(1));

            var held = await cluster.Node(down).ReadReplicaAsync("b", Encoding.UTF8.GetBytes("k"));
            var read = await cluster.Node(down).GetAsync("b", "k", new QuorumOptions { R = 1, PR = 1, Timeout = TimeSpan.FromSeconds(2) });
            return (held, await cluster.MisplacedObjectsAsync(), read.Found);
        }, TimeSpan.FromHours(1));

        // The returned primary holds the tombstone (or nothing, once it was reaped), never v1.
        Assert.True(held is null || held.Values.All(RingCore.Replication.ReplicaValue.IsTombstone), "the returned primary still holds the deleted value");
        Assert.Empty(misplaced);
        Assert.False(found);
    }
}
