using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RingCore.Actors;
using RingCore.Node;
using RingCore.Storage;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Actors;

/// <summary>
/// A message that fails where no one waits for it (a Tell, a timer tick) is never swallowed
/// (issue 12, point 4): it is counted, logged at most once per type every 10 seconds with the
/// count of those not logged, and passed to the type's failure handler; a handler that itself
/// throws is logged and does not stop the actor.
/// </summary>
public sealed class MessageFailureTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public sealed record Boom(int Number);

    public sealed record Grow(int Bytes);

    [Fact]
    public async Task Failed_Tells_are_counted_logged_at_a_bounded_rate_and_passed_to_the_failure_handler()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(logs)));
        var time = new VirtualTimeProvider();
        var seen = new List<ActorMessageFailure>();
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 }, actors => actors.Add<int>("fragile", type => type
            .InitialState(_ => 0)
            .On<Boom>((_, message, _) => throw new InvalidOperationException($"boom {message.Number}"))
            .On<CounterActor.Get, int>((state, _, _) => (state, state))
            .OnFailure(failure =>
            {
                lock (seen)
                {
                    seen.Add(failure);
                }
            })), new RingNodeServices { LoggerFactory = loggerFactory, Time = time });
        using var failed = new MetricCollector<long>(node.Metrics.Meter, "ringcore.actor.failed_messages");
        var actor = node.GetActor("fragile", "f");

        for (int i = 0; i < 1_000; i++)
        {
            actor.Tell(new Boom(i));
        }

        Assert.Equal(0, await actor.Ask<int>(new CounterActor.Get(), Wait)); // after the Tells: they have all been handled
        time.Advance(TimeSpan.FromSeconds(11));
        actor.Tell(new Boom(1_000));
        Assert.Equal(0, await actor.Ask<int>(new CounterActor.Get(), Wait));

        Assert.Equal(1_001, failed.GetMeasurementSnapshot().Where(m => Equals(m.Tags["ringcore.kind"], "tell") && Equals(m.Tags["ringcore.actor_type"], "fragile")).Sum(m => m.Value));
        lock (seen)
        {
            Assert.Equal(1_001, seen.Count);
            Assert.All(seen, failure => Assert.False(failure.Asked));
            Assert.Equal("boom 0", seen[0].Exception.Message);
            Assert.Equal(new Boom(0), seen[0].Message);
            Assert.Equal(("fragile", "f"), (seen[0].ActorType, seen[0].Key));
        }

        var logged = logs.GetSnapshot().Where(record => record.Id.Id == 4006).ToList();
        Assert.Equal(2, logged.Count); // the first, then the first after the 10-second interval
        Assert.Contains("boom 0", logged[0].Exception!.Message, StringComparison.Ordinal);
        Assert.Contains("999 more such failures", logged[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_Ask_is_counted_and_passed_to_the_handler_but_not_logged_since_its_caller_has_the_error()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(logs)));
        int handled = 0;
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 }, actors => actors.Add<int>("fragile", type => type
            .InitialState(_ => 0)
            .On<Boom, int>((_, message, _) => throw new InvalidOperationException("asked boom"))
            .OnFailure(failure =>
            {
                Assert.True(failure.Asked);
                Interlocked.Increment(ref handled);
                throw new InvalidOperationException("the handler itself fails");
            })), new RingNodeServices { LoggerFactory = loggerFactory });
        using var failed = new MetricCollector<long>(node.Metrics.Meter, "ringcore.actor.failed_messages");
        var actor = node.GetActor("fragile", "f");

        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => actor.Ask<int>(new Boom(i), Wait).AsTask());
        }

        Assert.Equal(3, Volatile.Read(ref handled));
        Assert.Equal(3, failed.GetMeasurementSnapshot().Where(m => Equals(m.Tags["ringcore.kind"], "ask")).Sum(m => m.Value));
        Assert.DoesNotContain(logs.GetSnapshot(), record => record.Id.Id == 4006);
        Assert.Equal(3, logs.GetSnapshot().Count(record => record.Id.Id == 4007)); // the handler's own failure is logged
    }

    [Fact]
    public async Task A_Tell_whose_state_is_over_the_size_limit_is_reported_naming_the_actor_and_the_state_is_kept()
    {
        var seen = new List<ActorMessageFailure>();
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 }, actors => actors.Add<string>("blob", type => type
            .InitialState(_ => "")
            .On<Grow>((_, message, _) => new string('x', message.Bytes))
            .On<CounterActor.Get, int>((state, _, _) => (state, state.Length))
            .OnFailure(failure =>
            {
                lock (seen)
                {
                    seen.Add(failure);
                }
            })), new RingNodeServices { Storage = new MemoryVNodeStoreProvider() });
        var actor = node.GetActor("blob", "big");
        actor.Tell(new Grow(100));
        actor.Tell(new Grow(RingNode.MaxValueBytes + 1));
        var deadline = DateTime.UtcNow + Wait;
        while (Volatile.Read(ref seen).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        // The failed write fails every message of its turn (both Tells, had they shared one) and
        // keeps what was stored before it.
        Assert.InRange(await actor.Ask<int>(new CounterActor.Get(), Wait), 0, 100);

        var failure = seen[^1];
        Assert.Contains("The state of blob 'big' is", failure.Exception.Message, StringComparison.Ordinal);
        Assert.Contains($"over the limit of {RingNode.MaxValueBytes}", failure.Exception.Message, StringComparison.Ordinal);
    }
}
