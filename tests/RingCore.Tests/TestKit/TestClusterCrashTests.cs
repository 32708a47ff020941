using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.TestKit;

/// <summary>
/// A crashed node has no activations: an activation that was loading its state when the node
/// crashed, and finished loading in the halted incarnation afterwards, was reported active and
/// never inactive, so the monitor saw two activations of one actor once the cluster had settled
/// (found by the membership partition suite, seed 292).
/// </summary>
public sealed class TestClusterCrashTests
{
    [Fact]
    public void An_activation_still_loading_when_its_node_crashes_is_not_counted_as_active()
    {
        var simulator = new Simulator(1);
        var (loadingAtCrash, activeAfter) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, ringSize: 16, nVal: 3, seed: 1, time: simulator.Time, scheduler: simulator.Scheduler,
                nodeOptions: Detection.Exact(), // the split must reroute at once: this is about the monitor, not the detector
                configureActors: actors => actors.Add<int>("counter", type => type.InitialState(_ => 0).On<string, int>((s, _, _) => (s + 1, s + 1)).Merge(v => v.Max())));
            cluster.Partition(["n1", "n2"]); // both sides increment: the state gets two versions
            await cluster.Actors("n1").GetActor("counter", "a").Ask<int>("inc", TimeSpan.FromSeconds(10));
            await cluster.Actors("n3").GetActor("counter", "a").Ask<int>("inc", TimeSpan.FromSeconds(10));
            cluster.Heal();
            await Task.Delay(TimeSpan.FromSeconds(30), simulator.Time); // both activations passivate
            foreach (var node in new[] { "n2", "n3", "n4", "n5" })
            {
                cluster.Network.Slow(node, TimeSpan.FromSeconds(1)); // the next activation's reads and writes take a while
            }

            var ask = cluster.Actors("n1").GetActor("counter", "a").Ask<int>("inc", TimeSpan.FromSeconds(10));
            await Task.Delay(TimeSpan.FromMilliseconds(3300), simulator.Time);
            var loading = cluster.Activations.ActiveOn("counter", "a"u8);
            cluster.Crash("n2"); // the host, while the activation loads
            try
            {
                await ask;
            }
            catch (TimeoutException)
            {
                // the host crashed: the ask cannot be answered
            }

            await Task.Delay(TimeSpan.FromSeconds(20), simulator.Time);
            return (loading, cluster.Activations.ActiveOn("counter", "a"u8));
        }, TimeSpan.FromHours(1));

        Assert.Empty(loadingAtCrash);
        Assert.DoesNotContain("n2", activeAfter);
    }
}
