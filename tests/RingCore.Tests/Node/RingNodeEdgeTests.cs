using RingCore.Actors;
using RingCore.Causality;
using RingCore.Node;
using RingCore.Tests.Actors;

namespace RingCore.Tests.Node;

/// <summary>A user's edge cases on one node: clear errors for bad arguments, and a stop every caller waits for.</summary>
public sealed class RingNodeEdgeTests
{
    [Fact]
    public async Task Two_concurrent_disposes_both_wait_for_the_one_stop()
    {
        // Writes take 100 ms, so the stop (which stores the WriteBehind state) takes that long.
        var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 },
            actors => CounterActor.Define(actors, "lazy", ActorDurability.WriteBehind),
            new RingNodeServices { Storage = new SlowWriteStoreProvider(TimeSpan.FromMilliseconds(100)) });
        var counter = node.GetActor("lazy", "k");
        Assert.Equal(0, await counter.Ask<long>(new CounterActor.Get()));
        counter.Tell(new CounterActor.Increment(3));

        var first = node.DisposeAsync().AsTask();
        var second = node.DisposeAsync().AsTask();
        await second;
        Assert.True(first.IsCompleted, "the second DisposeAsync returned before the stop it joined had finished");
        await first;
        await node.DisposeAsync(); // and a later one too
    }

    [Fact]
    public async Task Bad_arguments_get_errors_that_name_them()
    {
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 },
            actors => CounterActor.Define(actors, "counter", ActorDurability.WriteThrough));
        Assert.Equal("typeName", Assert.Throws<ArgumentNullException>(() => node.GetActor(null!, "k")).ParamName);

        var counter = node.GetActor("counter", "k");
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => counter.Ask<long>(new CounterActor.Get(), TimeSpan.MaxValue));
        Assert.Contains("at most 49.7 days", tooLong.Message, StringComparison.Ordinal);
        Assert.Equal(0, await counter.Ask<long>(new CounterActor.Get(), Timeout.InfiniteTimeSpan));

        var badSetting = await Assert.ThrowsAsync<ArgumentException>(() => RingNode.StartAsync(
            new RingNodeOptions { PartitionCount = 16, Actors = { DefaultAskTimeout = TimeSpan.FromDays(60) }, Peers = { RequestRetention = TimeSpan.FromDays(60) } }));
        Assert.Contains("RingCore:Actors:DefaultAskTimeout must be positive and at most 49.7 days", badSetting.Message, StringComparison.Ordinal);

        var actorBucket = await Assert.ThrowsAsync<ArgumentException>(() => node.PutAsync("counter", "k", "junk"u8.ToArray(), CausalContext.Empty));
        Assert.Contains("holds the state of actor type 'counter'", actorBucket.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => node.DeleteAsync("counter", "k", CausalContext.Empty));
        Assert.Equal(0, await counter.Ask<long>(new CounterActor.Get())); // untouched
        Assert.Empty((await node.GetAsync("counter", "k")).Values.Where(v => v.Length == 0)); // reading the bucket is fine
    }

    [Fact]
    public async Task After_a_stop_every_call_names_the_node_as_disposed()
    {
        var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 });
        await node.DisposeAsync();
        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => node.GetAsync("b", "k"));
        Assert.Contains(nameof(RingNode), error.ObjectName, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => node.PutAsync("b", "k", "v"u8.ToArray(), CausalContext.Empty));
    }
}
