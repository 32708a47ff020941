using System.Text;
using RingCore.Causality;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.Tests.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Handoff;

/// <summary>
/// riak_kv's KV679 through hinted handoff: a fallback coordinates a write, hands the object to
/// the primaries and deletes it, then coordinates another write of the same key. Its replica id
/// must not go on from where it was: a clock entry (id, n) says "saw id's events 1..n", so the
/// second write's clock claimed the first write, which it never saw, and the primaries dropped
/// the first (acknowledged) write when they merged the second. Found by the membership
/// partition suite (seed 458).
/// </summary>
public sealed class FallbackCoordinatesAgainTests
{
    [Fact]
    public void A_fallback_that_handed_a_key_off_and_coordinates_it_again_does_not_supersede_what_it_handed_off()
    {
        var simulator = new Simulator(458);
        var values = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, ringSize: 16, nVal: 3, seed: 458, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: Detection.Exact()); // a replay of a seed found with exact reachability: about the logic, not the detector
            string key = "";
            for (int i = 0; key.Length == 0; i++)
            {
                var primaries = await cluster.PrimariesLackingAsync("b", $"k{i}"); // nothing written: every primary lacks it
                if (!primaries.Contains("n1") && !primaries.Contains("n2"))
                {
                    key = $"k{i}";
                }
            }

            var quorum = new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) };
            foreach (var value in new[] { "first", "second" })
            {
                cluster.Partition(["n1", "n2"]); // the primaries are on the other side: n1 and n2 stand in, n1 coordinates
                await cluster.Node("n1").PutAsync("b", key, Encoding.UTF8.GetBytes(value), CausalContext.Empty, quorum);
                cluster.Heal();
                await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(2)); // the hints reach the primaries and leave n1 and n2
            }

            var read = await cluster.Node("n3").GetAsync("b", key, new QuorumOptions { R = 3, Timeout = TimeSpan.FromSeconds(2) });
            return read.Values.Select(v => Encoding.UTF8.GetString(v.Span)).Order(StringComparer.Ordinal).ToArray();
        }, TimeSpan.FromHours(1));

        Assert.Equal(["first", "second"], values); // two blind writes: siblings, neither lost
    }
}
