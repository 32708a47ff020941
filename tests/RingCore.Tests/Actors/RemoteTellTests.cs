using RingCore.Actors;
using RingCore.Claim;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Transport;

namespace RingCore.Tests.Actors;

/// <summary>
/// Tells streamed to Ephemeral actors, as the network benchmark sends them: in windows, each
/// followed by an Ask to every actor. None is lost, on this node or across the simulated network.
/// </summary>
public sealed class RemoteTellTests
{
    private const int PartitionCount = 64;
    private const int Actors = 64;
    private const int Window = 16_384;
    private const int Tells = 100_000;

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    public async Task Every_tell_streamed_to_ephemeral_actors_is_handled(string host)
    {
        var network = new SimulatedNetwork(1, TimeProvider.System);
        var ring = RingClaim.Initial(PartitionCount, ["a", "b"]).Ring;
        await using var a = await RingNode.StartAsync(Options("a"), ring, network.Connect("a"), Define);
        await using var b = await RingNode.StartAsync(Options("b"), ring, network.Connect("b"), Define);
        var tallies = Enumerable.Range(0, int.MaxValue).Select(i => a.GetActor("tally", $"k{i}")).Where(t => a.HostOf(t) == host).Take(Actors).ToArray();
        foreach (var tally in tallies)
        {
            await tally.Ask<long>(new Get());
        }

        var add = new Add(1);
        for (int sent = 0; sent < Tells; sent += Window)
        {
            int batch = Math.Min(Window, Tells - sent);
            for (int i = 0; i < batch; i++)
            {
                tallies[i % Actors].Tell(add);
            }

            await Task.WhenAll(tallies.Select(t => t.Ask<long>(new Get()).AsTask()));
        }

        // The network promises no order (ITransport), so a few Tells may still be on their way
        // when the last Asks are answered; they arrive all the same.
        long counted = await SumAsync(tallies);
        Assert.InRange(counted, Tells - 256, Tells);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (counted < Tells && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            counted = await SumAsync(tallies);
        }

        Assert.Equal(Tells, counted);

        // Heartbeats and gossip keep flowing on real time, so one may be between its send and its
        // delivery at any moment: wait for an instant with nothing in flight, which comes only if
        // nothing was dropped or undeliverable.
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var statistics = network.Statistics;
        while (statistics.Sent != statistics.Delivered && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
            statistics = network.Statistics;
        }

        Assert.Equal(statistics.Sent, statistics.Delivered);
    }

    private static async Task<long> SumAsync(ActorRef[] tallies)
    {
        long sum = 0;
        foreach (var tally in tallies)
        {
            sum += await tally.Ask<long>(new Get());
        }

        return sum;
    }

    private static RingNodeOptions Options(string name) => new()
    {
        NodeName = name,
        PartitionCount = PartitionCount,
        Replication = new ReplicationOptions { DefaultBucket = new BucketProperties { N = 1, R = 1, W = 1 } },
    };

    private static void Define(ActorRegistry actors) =>
        actors.Add<long>("tally", type => type
            .InitialState(_ => 0)
            .On<Add>((tally, message, _) => tally + message.By)
            .On<Get, long>((tally, _, _) => (tally, tally))
            .WithDurability(ActorDurability.Ephemeral));

    public sealed record Add(long By);

    public sealed record Get;
}
