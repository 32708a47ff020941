using Microsoft.Extensions.Logging.Abstractions;
using RingCore.Claim;
using RingCore.Membership;
using RingCore.Ring;
using RingCore.Transport;

namespace RingCore.Tests.Membership;

/// <summary>The routing view: one ring and one up set per request, swapped atomically, its tables cached per N.</summary>
public sealed class RingManagerTests
{
    [Fact]
    public async Task A_ring_swapped_under_load_routes_every_lookup_by_the_old_or_the_new_ring_never_a_mix()
    {
        var network = new SimulatedNetwork(seed: 1);
        string[] names = ["n1", "n2", "n3", "n4", "n5"];
        var transports = names.Select(network.Connect).ToArray();
        var rings = new List<RingState> { RingClaim.Initial(64, names).Ring };
        for (int i = 0; i < 6; i++)
        {
            // Leave and join in turn: every ring owns partitions differently from the one before.
            var next = i % 2 == 0 ? RingClaim.Leave(rings[^1], ["n5"]).Ring : RingClaim.Join(rings[^1], ["n5"]).Ring;
            rings.Add(next.Version > rings[^1].Version ? next : Bump(next, rings[^1].Version + 1));
        }

        // What each ring's preference lists must be, computed apart from the manager.
        var expected = rings.ToDictionary(ring => ring.Version, ring => Enumerable.Range(0, 64)
            .Select(p => Enumerable.Range(0, 3).Select(i => ring.Members[ring.OwnerOf((p + i) % 64)].Name).ToArray()).ToArray());
        var manager = new RingManager(rings[0], "n1", targetN: 3, new NodeWatcher(transports[0], rings[0]), NullLogger.Instance);

        using var stop = new CancellationTokenSource();
        var seenVersions = new HashSet<long>[2];
        var readers = Enumerable.Range(0, 2).Select(reader => Task.Run(() =>
        {
            var seen = seenVersions[reader] = [];
            long lookups = 0;
            while (!stop.IsCancellationRequested || lookups < 1000)
            {
                var view = manager.Current;
                int partition = (int)(lookups++ % 64);
                var list = view.PreferenceList(partition, 3);
                var names = new string[list.Length];
                for (int i = 0; i < list.Length; i++)
                {
                    names[i] = view.NameOf(list[i].Member);
                }

                Assert.Equal(expected[view.Ring.Version][partition], names);
                seen.Add(view.Ring.Version);
            }
        })).ToArray();

        foreach (var ring in rings.Skip(1))
        {
            await Task.Delay(20);
            manager.Swap(ring);
            Assert.Same(ring, manager.Ring);
        }

        await Task.Delay(20);
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(seenVersions.SelectMany(v => v).Distinct().Count() >= 2, "the readers saw the ring change under them");
    }

    [Fact]
    public void A_swap_to_an_older_ring_a_ring_without_this_node_or_another_size_is_refused()
    {
        var network = new SimulatedNetwork(seed: 2);
        var transport = network.Connect("n1");
        network.Connect("n2");
        var ring = RingClaim.Initial(16, ["n1", "n2"]).Ring;
        var manager = new RingManager(ring, "n1", targetN: 2, new NodeWatcher(transport, ring), NullLogger.Instance);

        Assert.Contains("does not supersede", Assert.Throws<InvalidOperationException>(() => manager.Swap(ring)).Message);
        Assert.Throws<ArgumentException>(() => manager.Swap(Bump(RingClaim.Initial(16, ["n2", "n3"]).Ring, 9)));
        Assert.Contains("resizing", Assert.Throws<ArgumentException>(() => manager.Swap(Bump(RingClaim.Initial(32, ["n1", "n2"]).Ring, 9))).Message);
        Assert.Same(ring, manager.Ring);
    }

    [Fact]
    public void The_annotated_table_is_built_once_per_view_and_N_and_an_up_down_change_makes_a_new_view()
    {
        var network = new SimulatedNetwork(seed: 3);
        var transports = new[] { "n1", "n2", "n3", "n4" }.Select(network.Connect).ToArray();
        var ring = RingClaim.Initial(32, ["n1", "n2", "n3", "n4"]).Ring;
        var watcher = new NodeWatcher(transports[0], ring);
        var manager = new RingManager(ring, "n1", targetN: 4, watcher, NullLogger.Instance);

        var view = manager.Current;
        Assert.Same(view.TableFor(3), view.TableFor(3));    // two buckets with N=3: one table
        Assert.Same(view.TableFor(2), view.TableFor(2));    // a bucket with N=2 beside them: its own, kept too
        Assert.NotSame(view.TableFor(2), view.TableFor(3));
        Assert.Same(view, manager.Current);                 // nothing changed: the same view, no rebuild
        long epoch = watcher.Epoch;

        network.Isolate("n3");
        var split = manager.Current;
        Assert.NotSame(view, split);
        Assert.Equal(epoch + 1, split.Epoch);
        Assert.False(split.IsUp("n3"));
        Assert.DoesNotContain(split.PreferenceList(0, 3).ToArray(), entry => split.NameOf(entry.Member) == "n3");

        network.Heal();
        Assert.Equal(epoch + 2, manager.Current.Epoch);
        Assert.True(manager.Current.IsUp("n3"));
        network.Heal();                                     // no change: the epoch stays
        Assert.Equal(epoch + 2, watcher.Epoch);
    }

    private static RingState Bump(RingState ring, long version)
    {
        var bumped = ring;
        while (bumped.Version < version)
        {
            bumped = bumped.WithMemberStatus(bumped.Members[0].Name, bumped.Members[0].Status);
        }

        return bumped;
    }
}
