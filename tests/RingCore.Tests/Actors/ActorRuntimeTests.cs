using RingCore.TestKit.Simulation;
using System.Collections.Concurrent;
using System.Text;
using RingCore.Actors;
using RingCore.Storage;
using RingCore.Node;

namespace RingCore.Tests.Actors;

public sealed class ActorRuntimeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static Task<RingNode> Start(Action<ActorRegistry> actors, IVNodeStoreProvider? storage = null, TimeProvider? time = null,
        RingNodeOptions? options = null) =>
        RingNode.StartAsync(options ?? new RingNodeOptions { PartitionCount = 16 }, actors, new RingNodeServices { Storage = storage, Time = time });

    [Fact]
    public async Task Eight_senders_incrementing_one_counter_lose_no_increment()
    {
        await using var node = await Start(a => CounterActor.Define(a, "counter", ActorDurability.WriteThrough));
        var counter = node.GetActor("counter", "shared");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                counter.Tell(new CounterActor.Increment());
            }
        })));
        Assert.Equal(16_000, await counter.Ask<long>(new CounterActor.Get(), Wait));
    }

    [Fact]
    public async Task Messages_to_one_key_run_one_at_a_time_in_arrival_order()
    {
        int running = 0, overlaps = 0;
        var seen = new ConcurrentQueue<int>();
        await using var node = await Start(actors => actors.Add<int>("serial", type => type
            .InitialState(_ => 0)
            .OnAsync<int, int>(async (state, message, _) =>
            {
                if (Interlocked.Increment(ref running) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield(); // give a second turn the chance to overlap, if the runtime allowed it
                seen.Enqueue(message);
                Interlocked.Decrement(ref running);
                return (state + 1, state + 1);
            })));
        var actor = node.GetActor("serial", "one");
        for (int i = 0; i < 500; i++)
        {
            actor.Tell(i);
        }

        Assert.Equal(501, await actor.Ask<int>(500, Wait));
        Assert.Equal(0, overlaps);
        Assert.Equal(Enumerable.Range(0, 501), seen);
    }

    [Theory]
    [InlineData(ActorDurability.WriteThrough, 0)]
    [InlineData(ActorDurability.WriteBehind, 1)] // passivation's flush takes a millisecond while senders append
    public async Task Senders_racing_passivation_lose_no_message(ActorDurability durability, int writeDelayMilliseconds)
    {
        // Idle timeout and sweep in milliseconds on real time: actors passivate and reactivate
        // over and over while four senders keep telling them, the race the mailbox's close and
        // the vnode's retry exist for.
        var options = new RingNodeOptions { PartitionCount = 16, Actors = { PassivationSweepInterval = TimeSpan.FromMilliseconds(1) } };
        var storage = new SlowWriteStoreProvider(TimeSpan.FromMilliseconds(writeDelayMilliseconds));
        await using var node = await Start(actors => actors.Add<long>("flicker", type => type
            .InitialState(_ => 0L)
            .On<CounterActor.Increment>((state, message, _) => state + message.By)
            .On<CounterActor.Get, long>((state, _, _) => (state, state))
            .WithDurability(durability)
            .PassivateAfter(TimeSpan.FromMilliseconds(1))), storage, options: options);
        const int keys = 20, senders = 4, perSender = 3_000;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(async () =>
        {
            var random = new Random(sender);
            for (int i = 0; i < perSender; i++)
            {
                node.GetActor("flicker", $"k{random.Next(keys)}").Tell(new CounterActor.Increment());
                if (i % 100 == 99)
                {
                    await Task.Delay(3); // bursts and pauses: actors go idle long enough to passivate
                }
            }
        })));

        // However the pauses fell, every actor passivates once now, so the reads below reactivate.
        var deadline = DateTime.UtcNow + Wait;
        while (node.ActiveActors > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1);
        }

        long total = 0;
        for (int key = 0; key < keys; key++)
        {
            total += await node.GetActor("flicker", $"k{key}").Ask<long>(new CounterActor.Get(), Wait);
        }

        Assert.Equal(senders * perSender, total);
        Assert.True(storage.Reads >= 2 * keys, $"{storage.Reads} activations for {keys} keys: passivation and reactivation were not exercised");
    }

    [Fact]
    public async Task An_actor_sits_at_its_key_position_within_its_type_as_ringctl_locate_computes_it()
    {
        await using var node = await Start(a => CounterActor.Define(a, "cart", ActorDurability.Ephemeral));
        var actor = node.GetActor("cart", "42");
        Assert.Equal(RingCore.Hashing.KeyPosition.Of("cart"u8, "42"u8), actor.Position);
        Assert.NotEqual(RingCore.Hashing.XxHash64.Hash("42"u8), actor.Position); // the type seeds the hash
    }

    [Fact]
    public async Task Different_keys_run_in_parallel()
    {
        // Each actor waits inside its handler until the other has started: that finishes only
        // if the two keys' handlers run at the same time.
        using var first = new SemaphoreSlim(0);
        using var second = new SemaphoreSlim(0);
        await using var node = await Start(actors => actors.Add<int>("pair", type => type
            .InitialState(_ => 0)
            .OnAsync<string, bool>(async (state, message, _) =>
            {
                (message == "a" ? first : second).Release();
                bool met = await (message == "a" ? second : first).WaitAsync(Wait);
                return (state, met);
            })));
        var a = node.GetActor("pair", "a").Ask<bool>("a", Wait).AsTask();
        var b = node.GetActor("pair", "b").Ask<bool>("b", Wait).AsTask();
        Assert.Equal(new[] { true, true }, await Task.WhenAll(a, b));
    }

    [Fact]
    public async Task A_throwing_handler_fails_the_ask_discards_its_change_and_the_actor_keeps_serving()
    {
        var storage = new MemoryVNodeStoreProvider();
        await using var node = await Start(a => CounterActor.Define(a, "counter", ActorDurability.WriteThrough), storage);
        var counter = node.GetActor("counter", "k");
        await counter.Ask<long>(new CounterActor.Get());
        counter.Tell(new CounterActor.Increment(5));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => counter.Ask<long>(new CounterActor.Fail("boom"), Wait).AsTask());
        Assert.Equal("boom", error.Message);
        counter.Tell(new CounterActor.Increment(2));
        Assert.Equal(7, await counter.Ask<long>(new CounterActor.Get(), Wait));
    }

    [Fact]
    public async Task WriteThrough_state_is_stored_before_the_reply_and_survives_a_restart()
    {
        var storage = new MemoryVNodeStoreProvider();
        await using (var node = await Start(a => CounterActor.Define(a, "counter", ActorDurability.WriteThrough), storage))
        {
            var counter = node.GetActor("counter", "durable");
            counter.Tell(new CounterActor.Increment(41));
            Assert.Equal(41, await counter.Ask<long>(new CounterActor.Get(), Wait));
            var stored = await StoredState(node, storage, "counter", "durable");
            Assert.Contains("\"Count\":41", stored);
        }

        await using var restarted = await Start(a => CounterActor.Define(a, "counter", ActorDurability.WriteThrough), storage);
        Assert.Equal(41, await restarted.GetActor("counter", "durable").Ask<long>(new CounterActor.Get(), Wait));
    }

    [Fact]
    public async Task WriteBehind_state_is_stored_on_the_interval_and_at_shutdown()
    {
        var storage = new MemoryVNodeStoreProvider();
        var time = new VirtualTimeProvider();
        var options = new RingNodeOptions { PartitionCount = 16, Actors = { WriteBehindInterval = TimeSpan.FromSeconds(1) } };
        await using (var node = await Start(a => CounterActor.Define(a, "lazy", ActorDurability.WriteBehind), storage, time, options))
        {
            var counter = node.GetActor("lazy", "k");
            counter.Tell(new CounterActor.Increment(3));
            Assert.Equal(3, await counter.Ask<long>(new CounterActor.Get(), Wait));
            Assert.Null(await StoredState(node, storage, "lazy", "k"));

            time.Advance(TimeSpan.FromSeconds(1));
            await Eventually(async () => (await StoredState(node, storage, "lazy", "k"))?.Contains("\"Count\":3") == true);

            counter.Tell(new CounterActor.Increment(4));
            Assert.Equal(7, await counter.Ask<long>(new CounterActor.Get(), Wait));
        }

        // Disposing the node flushed the last change without waiting for the interval.
        await using var restarted = await Start(a => CounterActor.Define(a, "lazy", ActorDurability.WriteBehind), storage, time, options);
        Assert.Equal(7, await restarted.GetActor("lazy", "k").Ask<long>(new CounterActor.Get(), Wait));
    }

    [Fact]
    public async Task Ephemeral_state_is_never_stored_and_starts_empty_after_a_restart()
    {
        var storage = new MemoryVNodeStoreProvider();
        await using (var node = await Start(a => CounterActor.Define(a, "lobby", ActorDurability.Ephemeral), storage))
        {
            var lobby = node.GetActor("lobby", "k");
            lobby.Tell(new CounterActor.Increment(9));
            Assert.Equal(9, await lobby.Ask<long>(new CounterActor.Get(), Wait));
            Assert.Null(await StoredState(node, storage, "lobby", "k"));
        }

        await using var restarted = await Start(a => CounterActor.Define(a, "lobby", ActorDurability.Ephemeral), storage);
        Assert.Equal(0, await restarted.GetActor("lobby", "k").Ask<long>(new CounterActor.Get(), Wait));
    }

    [Fact]
    public async Task Idle_actors_passivate_and_reactivate_with_their_stored_state()
    {
        var time = new VirtualTimeProvider();
        var options = new RingNodeOptions { PartitionCount = 16, Actors = { PassivationSweepInterval = TimeSpan.FromSeconds(10) } };
        await using var node = await Start(actors =>
        {
            CounterActor.Define(actors, "counter", ActorDurability.WriteThrough, idle: TimeSpan.FromSeconds(30));
            CounterActor.Define(actors, "lazy", ActorDurability.WriteBehind, idle: TimeSpan.FromSeconds(30));
        }, time: time, options: options);
        var counter = node.GetActor("counter", "k");
        var lazy = node.GetActor("lazy", "k");
        counter.Tell(new CounterActor.Increment(2));
        lazy.Tell(new CounterActor.Increment(3));
        Assert.Equal(2, await counter.Ask<long>(new CounterActor.Get(), Wait));
        Assert.Equal(3, await lazy.Ask<long>(new CounterActor.Get(), Wait));
        Assert.Equal(2, node.ActiveActors);

        time.Advance(TimeSpan.FromSeconds(20)); // a sweep, but not idle long enough yet
        Assert.Equal(2, node.ActiveActors);

        // Idle 30 s or more: the next sweeps passivate both (a sweep that finds an actor in a turn,
        // e.g. a WriteBehind flush, leaves it to the next sweep).
        await Eventually(() =>
        {
            time.Advance(TimeSpan.FromSeconds(10));
            return Task.FromResult(node.ActiveActors == 0);
        });

        Assert.Equal(2, await counter.Ask<long>(new CounterActor.Get(), Wait));
        Assert.Equal(3, await lazy.Ask<long>(new CounterActor.Get(), Wait));
        Assert.Equal(2, node.ActiveActors);
    }

    [Fact]
    public async Task Timers_deliver_ticks_through_the_mailbox_on_fake_time()
    {
        var time = new VirtualTimeProvider();
        await using var node = await Start(a => CounterActor.Define(a, "clock", ActorDurability.WriteThrough), time: time);
        var clock = node.GetActor("clock", "k");
        clock.Tell(new CounterActor.StartTicking(TimeSpan.FromSeconds(1)));
        Assert.Equal(0, await clock.Ask<long>(new CounterActor.Get(), Wait));

        time.Advance(TimeSpan.FromSeconds(3.5));
        await Eventually(async () => await clock.Ask<long>(new CounterActor.Get(), Wait) == 3);
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually(async () => await clock.Ask<long>(new CounterActor.Get(), Wait) == 4);
    }

    [Fact]
    public async Task An_ask_times_out_on_fake_time_with_a_clear_error()
    {
        var time = new VirtualTimeProvider();
        var never = new TaskCompletionSource<(int, int)>();
        await using var node = await Start(actors => actors.Add<int>("stuck", type => type
            .InitialState(_ => 0)
            .OnAsync<string, int>((state, _, _) => new ValueTask<(int, int)>(never.Task))), time: time);
        var ask = node.GetActor("stuck", "k").Ask<int>("hello", TimeSpan.FromSeconds(5)).AsTask();
        await Task.Delay(50);
        Assert.False(ask.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<TimeoutException>(() => ask);
        Assert.Contains("stuck 'k'", error.Message);
        never.SetResult((0, 0)); // let the turn finish so the node can stop
    }

    [Fact]
    public async Task A_node_on_a_clock_that_stands_still_stops_once_the_running_turn_ends()
    {
        // Shutdown waits for a turn to end, not for time to pass on the node's clock: a virtual
        // clock moved by hand stands still while the test disposes the node (waiting on it hung
        // the dispose of a node whose last Ask was answered before its turn had ended).
        var time = new VirtualTimeProvider();
        using var started = new SemaphoreSlim(0);
        var release = new TaskCompletionSource<(int, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var node = await Start(actors => actors.Add<int>("slow", type => type
            .InitialState(_ => 0)
            .OnAsync<string, int>((state, _, _) =>
            {
                started.Release();
                return new ValueTask<(int, int)>(release.Task);
            })), time: time);
        node.GetActor("slow", "k").Tell("work");
        Assert.True(await started.WaitAsync(Wait));

        var stopping = node.DisposeAsync().AsTask();
        await Task.Delay(20);
        Assert.False(stopping.IsCompleted); // the turn still runs
        release.SetResult((1, 1));
        await stopping.WaitAsync(Wait); // no Advance: the end of the turn lets it finish
        Assert.Equal(0, node.ActiveActors);
    }

    [Fact]
    public async Task An_ask_honours_its_cancellation_token()
    {
        var never = new TaskCompletionSource<(int, int)>();
        await using var node = await Start(actors => actors.Add<int>("stuck", type => type
            .InitialState(_ => 0)
            .OnAsync<string, int>((state, _, _) => new ValueTask<(int, int)>(never.Task))));
        using var cancel = new CancellationTokenSource();
        var ask = node.GetActor("stuck", "k").Ask<int>("hello", cancellationToken: cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask);
        never.SetResult((0, 0));
    }

    [Fact]
    public async Task Bad_input_gets_clear_errors()
    {
        await using var node = await Start(a => CounterActor.Define(a, "counter", ActorDurability.WriteThrough));
        Assert.Contains("No actor type 'nope'", Assert.Throws<ArgumentException>(() => node.GetActor("nope", "k")).Message);
        Assert.Contains("1 to", Assert.Throws<ArgumentException>(() => node.GetActor("counter", "")).Message);
        var counter = node.GetActor("counter", "k");
        Assert.Contains("no handler for String", Assert.Throws<ArgumentException>(() => counter.Tell("hello")).Message);
        await Assert.ThrowsAsync<InvalidCastException>(() => counter.Ask<string>(new CounterActor.Get(), Wait).AsTask());
        Assert.Equal(0, await counter.Ask<long>(new CounterActor.Get(), Wait)); // still serving

        await Assert.ThrowsAsync<ArgumentException>(() => Start(a =>
        {
            CounterActor.Define(a, "twice", ActorDurability.WriteThrough);
            CounterActor.Define(a, "twice", ActorDurability.WriteThrough);
        }));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Start(a => a.Add<int>("empty", t => t.InitialState(_ => 0))));
        var badOptions = new RingNodeOptions { PartitionCount = 12 };
        Assert.Contains("RingCore:PartitionCount",
            (await Assert.ThrowsAsync<ArgumentException>(() => Start(_ => { }, options: badOptions))).Message);
        var slowSweep = new RingNodeOptions { PartitionCount = 16, Actors = { PassivationSweepInterval = TimeSpan.FromMinutes(10) } };
        var late = await Assert.ThrowsAsync<ArgumentException>(() => Start(a => CounterActor.Define(a, "brief", ActorDurability.Ephemeral, idle: TimeSpan.FromMinutes(1)), options: slowSweep));
        Assert.Contains("RingCore:Actors:PassivationSweepInterval (00:10:00) must be at most the idle timeout of every actor type: 'brief' passivates after 00:01:00", late.Message);
        Assert.Contains("RingCore:Actors:TurnMessageLimit",
            (await Assert.ThrowsAsync<ArgumentException>(() => Start(_ => { }, options: new RingNodeOptions { Actors = { TurnMessageLimit = 0 } }))).Message);
    }

    [Fact]
    public async Task A_handler_receives_only_its_exact_message_type_boxed_values_included()
    {
        // Dispatch matches the message's exact runtime type, which is what lets a handler skip the
        // checked cast: a subclass of a handled type has no handler of its own and is refused.
        await using var node = await Start(actors => actors.Add<string>("exact", type => type
            .InitialState(_ => "")
            .On<Shape>((state, shape, _) => state + shape.Name)
            .On<int>((state, number, _) => state + number)
            .On<Get, string>((state, _, _) => (state, state))
            .WithDurability(ActorDurability.Ephemeral)));
        var actor = node.GetActor("exact", "k");
        actor.Tell(new Shape("square"));
        actor.Tell(7);
        Assert.Contains("no handler for Circle", Assert.Throws<ArgumentException>(() => actor.Tell(new Circle())).Message);
        Assert.Equal("square7", await actor.Ask<string>(new Get(), Wait));
    }

    private class Shape(string name)
    {
        public string Name { get; } = name;
    }

    private sealed class Circle() : Shape("circle");

    private sealed record Get;

    [Fact]
    public async Task Corrupt_stored_state_fails_the_message_with_a_clear_error_and_keeps_the_data()
    {
        var storage = new MemoryVNodeStoreProvider();
        await using var node = await Start(a => CounterActor.Define(a, "counter", ActorDurability.WriteThrough), storage);
        var actor = node.GetActor("counter", "bad");
        // Actor state is a replicated object in the bucket of the type's name: a client may not
        // write there (that is refused), so the test writes a bad one beneath the API.
        Assert.Contains("holds the state of actor type 'counter'",
            (await Assert.ThrowsAsync<ArgumentException>(() => node.PutAsync("counter", "bad", "not json"u8.ToArray(), RingCore.Causality.CausalContext.Empty))).Message);
        await node.Replication.PutAsync("counter", "bad"u8.ToArray(), "not json"u8.ToArray(), RingCore.Causality.CausalContext.Empty, tombstone: false, options: null);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => actor.Ask<long>(new CounterActor.Get(), Wait).AsTask());
        Assert.Contains("counter 'bad'", error.Message);
        Assert.Equal("not json", await StoredState(node, storage, "counter", "bad"));
    }

    /// <summary>The actor's stored state, read from outside through the replicated store (the bucket of the type's name); null when none.</summary>
    private static async Task<string?> StoredState(RingNode node, MemoryVNodeStoreProvider storage, string type, string key)
    {
        Assert.NotNull(storage); // the node's stores are the ones the test keeps across restarts
        var read = await node.GetAsync(type, key);
        return read.Values.Length == 0 ? null : Encoding.UTF8.GetString(read.Values.Single().Span);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(5);
        }
    }
}
