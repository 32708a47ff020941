using RingCore.Actors;
using RingCore.Claim;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Transport;

namespace RingCore.Tests.Actors;

public sealed class RemoteTellTests
{
    private const int PartitionCount = 64;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_tell_streamed_to_ephemeral_actors_is_handled(bool remote)
    {
        var network = new SimulatedNetwork(1, TimeProvider.System);
        var ring = RingClaim.Initial(PartitionCount, ["a", "b"]).Ring;
        await using var a = await RingNode.StartAsync(Options("a"), ring, network.Connect("a"), Define);
        await using var b = await RingNode.StartAsync(Options("b"), ring, network.Connect("b"), Define);
        string host = remote ? "b" : "a";
        var tallies = Enumerable.Range(0, int.MaxValue).Select(i => a.GetActor("tally", $"k{i}")).Where(t => a.HostOf(t) == host).Take(64).ToArray();
        foreach (var tally in tallies)
        {
            await tally.Ask<long>(new Get());
        }

        const int Window = 16_384, Tells = 1_000_000;
        var add = new Add(1);
        for (int sent = 0; sent < Tells; sent += Window)
        {
            int batch = Math.Min(Window, Tells - sent);
            for (int i = 0; i < batch; i++)
            {
                tallies[i & 63].Tell(add);
            }

            await Task.WhenAll(tallies.Select(t => t.Ask<long>(new Get()).AsTask()));
        }

        long counted = 0;
        foreach (var tally in tallies)
        {
            counted += await tally.Ask<long>(new Get());
        }

        var stats = network.Statistics;
        Console.WriteLine($"DIAG remote={remote} counted={counted} sent={stats.Sent} delivered={stats.Delivered} inflight={stats.Sent - stats.Delivered}");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        long later = counted;
        while (waited.Elapsed < TimeSpan.FromSeconds(10) && later != Tells)
        {
            await Task.Delay(200);
            later = 0;
            foreach (var tally in tallies)
            {
                later += await tally.Ask<long>(new Get());
            }
        }

        Assert.Equal((long)Tells, counted + 1_000_000_000L * later);
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
