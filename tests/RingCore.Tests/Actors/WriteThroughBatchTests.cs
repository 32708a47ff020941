using RingCore.Actors;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Storage;

namespace RingCore.Tests.Actors;

/// <summary>
/// A WriteThrough turn handles the messages queued for the actor, stores the state they leave
/// once, and only then answers them (issue 12, point 10): one write per turn, never a reply
/// before its write, and a failed write fails every message of the turn.
/// </summary>
public sealed class WriteThroughBatchTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static Task<RingNode> Start(IVNodeStoreProvider storage) =>
        RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 },
            actors => CounterActor.Define(actors, "counter", ActorDurability.WriteThrough), new RingNodeServices { Storage = storage });

    [Fact]
    public async Task Messages_queued_behind_a_write_are_stored_by_one_write_per_turn()
    {
        var storage = new ScriptedStoreProvider();
        await using var node = await Start(storage);
        var counter = node.GetActor("counter", "hot");
        await counter.Ask<object?>(new CounterActor.Increment(), Wait);
        int before = storage.Puts;

        storage.Close(); // the next write waits: the messages sent meanwhile queue behind it
        counter.Tell(new CounterActor.Increment());
        await Eventually(() => storage.Puts == before + 1);
        var asks = new List<Task<object?>>();
        for (int i = 0; i < 60; i++)
        {
            counter.Tell(new CounterActor.Increment());
            asks.Add(counter.Ask<object?>(new CounterActor.Increment(), Wait).AsTask());
        }

        storage.Open();
        await Task.WhenAll(asks);
        Assert.Equal(122, await counter.Ask<long>(new CounterActor.Get(), Wait));

        // 120 messages after the held write: two turns of at most 64 messages, so two writes
        // (one per message would be 120).
        Assert.InRange(storage.Puts - before, 2, 3);
    }

    [Fact]
    public async Task An_Ask_is_answered_only_after_the_write_of_its_turn_and_never_before()
    {
        var storage = new ScriptedStoreProvider();
        await using var node = await Start(storage);
        var counter = node.GetActor("counter", "k");
        await counter.Ask<long>(new CounterActor.Get(), Wait);

        storage.Close();
        counter.Tell(new CounterActor.Increment(5));
        var get = counter.Ask<long>(new CounterActor.Get(), Wait).AsTask(); // sees 5, which is not stored yet
        await Eventually(() => storage.Puts >= 1);
        await Task.Delay(50);
        Assert.False(get.IsCompleted, "the reply revealed a state whose write had not completed");

        storage.Open();
        Assert.Equal(5, await get);
    }

    [Fact]
    public async Task A_failed_write_fails_every_Ask_of_its_turn_and_the_actor_keeps_its_stored_state()
    {
        var storage = new ScriptedStoreProvider();
        await using var node = await Start(storage);
        var counter = node.GetActor("counter", "k");
        await counter.Ask<object?>(new CounterActor.Increment(10), Wait);

        storage.Close();
        storage.FailWith = "disk full";
        var first = counter.Ask<object?>(new CounterActor.Increment(1), Wait).AsTask();
        await Eventually(() => storage.Puts >= 2);
        var second = counter.Ask<object?>(new CounterActor.Increment(2), Wait).AsTask(); // queued behind the failing write
        var third = counter.Ask<object?>(new CounterActor.Increment(3), Wait).AsTask();
        storage.Open();

        foreach (var ask in new[] { first, second, third })
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ask);
            Assert.Contains("disk full", error is QuorumException ? error.Message : error.ToString(), StringComparison.Ordinal);
        }

        storage.FailWith = null;
        Assert.Equal(10, await counter.Ask<long>(new CounterActor.Get(), Wait));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(5);
        }
    }
}
