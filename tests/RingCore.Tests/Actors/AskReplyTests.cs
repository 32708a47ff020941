using RingCore.TestKit.Simulation;
using RingCore.Actors;

namespace RingCore.Tests.Actors;

public sealed class AskReplyTests
{
    private static readonly ActorType Type = new ActorRegistryProbe().Type;

    [Fact]
    public async Task A_reply_after_a_timeout_cannot_complete_the_next_ask_of_the_pooled_source()
    {
        var time = new VirtualTimeProvider();
        var reply = AskReply<string>.Rent();
        int first = reply.Start(Type, "k"u8.ToArray(), TimeSpan.FromSeconds(1), time, CancellationToken.None);
        var firstAsk = reply.AsValueTask();
        time.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<TimeoutException>(async () => await firstAsk);
        Assert.Contains("probe 'k'", error.Message);

        // The awaited source went back to the pool; the next Ask reuses this object.
        int second = reply.Start(Type, "k"u8.ToArray(), TimeSpan.FromSeconds(1), time, CancellationToken.None);
        Assert.NotEqual(first, second);
        var secondAsk = reply.AsValueTask();
        reply.Complete(first, "late reply to the first ask");
        Assert.False(secondAsk.IsCompleted);
        reply.Complete(second, "fresh");
        Assert.Equal("fresh", await secondAsk);
    }

    [Fact]
    public async Task A_stale_timer_tick_does_not_time_out_an_ask_whose_wait_has_not_elapsed()
    {
        var time = new VirtualTimeProvider();
        var reply = AskReply<string>.Rent();
        int first = reply.Start(Type, "k"u8.ToArray(), TimeSpan.FromSeconds(1), time, CancellationToken.None);
        var firstAsk = reply.AsValueTask();
        reply.Complete(first, "one");
        Assert.Equal("one", await firstAsk);

        int second = reply.Start(Type, "k"u8.ToArray(), TimeSpan.FromSeconds(10), time, CancellationToken.None);
        var secondAsk = reply.AsValueTask();
        time.Advance(TimeSpan.FromSeconds(5)); // past the first Ask's wait, not the second's
        Assert.False(secondAsk.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<TimeoutException>(async () => await secondAsk);
        reply.Complete(second, "too late"); // ignored, no exception
    }

    [Fact]
    public async Task Cancellation_fails_the_ask_and_a_later_reply_is_ignored()
    {
        using var cancel = new CancellationTokenSource();
        var reply = AskReply<int>.Rent();
        int token = reply.Start(Type, "k"u8.ToArray(), Timeout.InfiniteTimeSpan, TimeProvider.System, cancel.Token);
        var ask = reply.AsValueTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ask);
        reply.Complete(token, 5);
    }

    [Fact]
    public async Task A_reply_of_the_wrong_type_fails_the_ask_clearly()
    {
        var reply = AskReply<int>.Rent();
        int token = reply.Start(Type, "k"u8.ToArray(), Timeout.InfiniteTimeSpan, TimeProvider.System, CancellationToken.None);
        var ask = reply.AsValueTask();
        reply.Complete(token, "not an int");
        var error = await Assert.ThrowsAsync<InvalidCastException>(async () => await ask);
        Assert.Contains("replied with String, but the Ask expected Int32", error.Message);
    }

    // A registered actor type to name in timeout messages.
    private sealed class ActorRegistryProbe
    {
        public ActorRegistryProbe()
        {
            var registry = new ActorRegistry();
            registry.Add<int>("probe", type => type.InitialState(_ => 0).On<int>((state, _, _) => state));
            Type = registry.Get("probe");
        }

        public ActorType Type { get; }
    }
}
