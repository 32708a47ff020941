using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RingCore.Actors;
using RingCore.Node;
using RingCore.Storage;
using RingCore.Storage.Faster;
using RingCore.Tests.Actors;
using RingCore.Tests.Storage.Faster;

namespace RingCore.Tests.Node;

/// <summary>
/// A stop has a deadline (issue 12, point 7): actors drain and passivate all at once, what is
/// left at the deadline is reported and its queued messages fail, the stores close either way,
/// nothing acknowledged is lost, and neither StopAsync nor DisposeAsync throws.
/// </summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public sealed record Hang;

    public sealed record Ping;

    private static void DefineStuck(ActorRegistry actors, Task never) => actors.Add<int>("stuck", type => type
        .InitialState(_ => 0)
        .OnAsync<Hang, int>(async (state, _, _) =>
        {
            await never;
            return (state, state);
        })
        .On<Ping, int>((state, _, _) => (state + 1, state + 1))
        .WithDurability(ActorDurability.Ephemeral));

    [Fact]
    public async Task Twenty_stuck_actors_are_waited_for_together_until_the_deadline_then_reported_and_their_queued_Asks_fail()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(logs)));
        var never = new TaskCompletionSource();
        var storage = new MemoryVNodeStoreProvider();
        void Define(ActorRegistry actors)
        {
            DefineStuck(actors, never.Task);
            actors.Add<int>("slow", type => type
                .InitialState(_ => 0)
                .OnAsync<Ping, int>(async (state, _, _) =>
                {
                    await Task.Delay(500); // finishes well within the deadline, if its turn is waited for alongside the stuck ones
                    return (state + 1, state + 1);
                })
                .WithDurability(ActorDurability.WriteBehind));
        }

        var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16, ShutdownTimeout = TimeSpan.FromSeconds(3) },
            Define, new RingNodeServices { LoggerFactory = loggerFactory, Storage = storage });
        var queued = new List<Task<int>>();
        for (int i = 0; i < 20; i++)
        {
            var actor = node.GetActor("stuck", $"a{i}");
            actor.Tell(new Hang());
            queued.Add(actor.Ask<int>(new Ping(), TimeSpan.FromMinutes(5)).AsTask());
        }

        var idle = node.GetActor("stuck", "idle");
        Assert.Equal(1, await idle.Ask<int>(new Ping(), Wait));
        for (int i = 0; i < 20; i++)
        {
            node.GetActor("slow", $"s{i}").Tell(new Ping());
        }

        var stopping = node.StopAsync();
        var finished = await Task.WhenAny(stopping, Task.Delay(Wait));
        Assert.Same(stopping, finished); // one deadline for all twenty, not 5 to 7 s each one after another (139 s)
        var result = await stopping;

        Assert.False(result.IsComplete);
        Assert.Equal(20, result.UnfinishedActors.Count);
        Assert.Contains("stuck 'a7'", result.UnfinishedActors);
        Assert.DoesNotContain("stuck 'idle'", result.UnfinishedActors);
        Assert.All(result.Errors, error => Assert.Contains("still in a turn at the shutdown deadline", error.Message, StringComparison.Ordinal));
        Assert.Contains(logs.GetSnapshot(), record => record.Id.Id == 4008 && record.Message.Contains("20 actors not passivated", StringComparison.Ordinal));
        await node.DisposeAsync(); // the same stop: returns, does not throw

        never.SetResult(); // the stuck handlers end now: the Pings queued behind them fail at once
        foreach (var ask in queued)
        {
            var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => ask.WaitAsync(Wait));
            Assert.Contains("The node stopped before this message", error.Message, StringComparison.Ordinal);
        }

        // The slow actors finished their turn within the deadline and stored their state.
        await using var restarted = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 }, Define, new RingNodeServices { Storage = storage });
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(2, await restarted.GetActor("slow", $"s{i}").Ask<int>(new Ping(), Wait));
        }
    }

    [Fact]
    public async Task A_cancelled_token_cuts_an_infinite_deadline_short_and_the_stores_still_close()
    {
        var never = new TaskCompletionSource();
        var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16, ShutdownTimeout = Timeout.InfiniteTimeSpan },
            actors => DefineStuck(actors, never.Task));
        node.GetActor("stuck", "s").Tell(new Hang());
        await Task.Delay(50);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var result = await node.StopAsync(cancel.Token).WaitAsync(Wait);
        Assert.Equal(["stuck 's'"], result.UnfinishedActors);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => node.PutAsync("b", "k", new byte[] { 1 }, RingCore.Causality.CausalContext.Empty));
        never.SetResult();
    }

    [Fact]
    public async Task Ten_thousand_Tells_queued_to_a_WriteThrough_actor_on_FASTER_are_all_applied_by_a_stop()
    {
        using var directory = new TempDirectory();
        var storage = new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = directory.Path });
        void Define(ActorRegistry actors) => CounterActor.Define(actors, "counter", ActorDurability.WriteThrough);
        var options = new RingNodeOptions { PartitionCount = 8 };

        var node = await RingNode.StartAsync(options, Define, new RingNodeServices { Storage = storage });
        var counter = node.GetActor("counter", "hot");
        Assert.Equal(0, await counter.Ask<long>(new CounterActor.Get(), Wait));
        for (int i = 0; i < 10_000; i++)
        {
            counter.Tell(new CounterActor.Increment());
        }

        var result = await node.StopAsync();
        Assert.True(result.IsComplete, string.Join("; ", result.Errors.Select(error => error.Message)));

        await using var restarted = await RingNode.StartAsync(options, Define, new RingNodeServices { Storage = new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = directory.Path }) });
        Assert.Equal(10_000, await restarted.GetActor("counter", "hot").Ask<long>(new CounterActor.Get(), Wait));
    }

    [Fact]
    public async Task Leaving_await_using_with_a_million_Tells_queued_to_an_Ephemeral_actor_drains_them_and_does_not_throw()
    {
        long handled = 0;
        await using (var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 }, actors => actors.Add<int>("sink", type => type
            .InitialState(_ => 0)
            .On<Ping>((state, _, _) =>
            {
                Interlocked.Increment(ref handled);
                return state;
            })
            .WithDurability(ActorDurability.Ephemeral))))
        {
            var sink = node.GetActor("sink", "s");
            for (int i = 0; i < 1_000_000; i++)
            {
                sink.Tell(new Ping());
            }
        }

        Assert.Equal(1_000_000, Interlocked.Read(ref handled));
    }

    [Fact]
    public async Task A_WriteBehind_state_that_cannot_be_stored_is_reported_at_the_deadline_not_thrown()
    {
        var storage = new ScriptedStoreProvider();
        var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16, ShutdownTimeout = TimeSpan.FromMilliseconds(500) },
            actors => CounterActor.Define(actors, "counter", ActorDurability.WriteBehind), new RingNodeServices { Storage = storage });
        await node.GetActor("counter", "k").Ask<object?>(new CounterActor.Increment(), Wait);
        storage.FailWith = "disk gone";

        var result = await node.StopAsync().WaitAsync(Wait);
        Assert.Equal(["counter 'k'"], result.UnfinishedActors);
        Assert.Contains("could not be stored before the shutdown deadline", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("60.00:00:00")]
    public async Task A_shutdown_timeout_out_of_range_is_refused_by_name(string value)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RingNode.StartAsync(new RingNodeOptions { ShutdownTimeout = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.Contains("RingCore:ShutdownTimeout must be", error.Message, StringComparison.Ordinal);
    }
}
