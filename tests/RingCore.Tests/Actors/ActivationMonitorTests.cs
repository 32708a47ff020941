using RingCore.Actors;
using RingCore.Tests.Replication;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

namespace RingCore.Tests.Actors;

/// <summary>The TestKit's activation monitor, which the partition suite's single-activation check relies on.</summary>
public sealed class ActivationMonitorTests
{
    [Fact]
    public async Task The_monitor_sees_one_activation_normally_and_two_when_a_partition_splits_an_actor()
    {
        await using var sim = new FakeTimeCluster(6, ringSize: 16, seed: 5, actors: actors => CounterActor.Define(actors, "counter", ActorDurability.WriteThrough));
        var monitor = sim.Cluster.Activations;
        var primaries = Primaries(sim.Cluster, "counter", "k");
        var others = sim.Cluster.Members.Except(primaries).ToArray();
        foreach (var member in sim.Cluster.Members)
        {
            sim.Run(sim.Actors(member).GetActor("counter", "k").Ask<object?>(new CounterActor.Increment()));
        }

        Assert.Equal(1, monitor.MostAtOnce("counter", "k"u8));
        Assert.Empty(monitor.Overlaps);

        sim.Cluster.Partition([primaries[0], others[0], others[1]], [primaries[1], primaries[2], others[2]]);
        sim.AwaitDetection(); // each side's failure detector marks the other down, so each routes to its own replica
        sim.Run(sim.Actors(others[2]).GetActor("counter", "k").Ask<object?>(new CounterActor.Increment()));

        Assert.Equal(2, monitor.MostAtOnce("counter", "k"u8));
        Assert.Equal($"counter/k on {primaries[1]} while on {primaries[0]}", Assert.Single(monitor.Overlaps));
    }
}
