using RingCore.Actors;
using RingCore.Causality;
using RingCore.Claim;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Tests.Actors;

namespace RingCore.Tests.Node;

/// <summary>
/// Issue 12, point 8: every time span, enum and number a user sets (node options, per-type
/// settings, per-call arguments) is checked where it is given, with a message that names the
/// setting and the value, never later inside a timer or a request.
/// </summary>
public sealed class OptionLimitTests
{
    private static readonly TimeSpan TooLong = TimeSpan.MaxValue;

    public static TheoryData<string, Action<RingNodeOptions>> TooLongSettings => new()
    {
        { "RingCore:Actors:DefaultAskTimeout", o => o.Actors.DefaultAskTimeout = TooLong },
        { "RingCore:Actors:PassivationSweepInterval", o => o.Actors.PassivationSweepInterval = TooLong },
        { "RingCore:Actors:WriteBehindInterval", o => o.Actors.WriteBehindInterval = TooLong },
        { "RingCore:Peers:SweepInterval", o => o.Peers.SweepInterval = TooLong },
        { "RingCore:Replication:DefaultBucket", o => o.Replication.DefaultBucket = new BucketProperties { N = 1, R = 1, W = 1, TombstoneReapDelay = TooLong } },
    };

    [Theory]
    [MemberData(nameof(TooLongSettings))]
    public void A_time_span_past_a_timers_longest_wait_is_refused_naming_the_setting_and_the_value(string setting, Action<RingNodeOptions> configure)
    {
        var options = new RingNodeOptions { PartitionCount = 8 };
        configure(options);

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        Assert.Contains(TooLong.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("49.7 days", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_default_bucket_is_named_by_its_path_and_value()
    {
        var options = new RingNodeOptions { PartitionCount = 8, Replication = { DefaultBucket = new BucketProperties { N = 1, R = 1, W = 1, TombstoneReapDelay = TooLong } } };

        Assert.Equal(
            $"RingCore:Replication:DefaultBucket:TombstoneReapDelay must be from 0 to 49.7 days, the longest a timer waits (got {TooLong}).",
            Assert.Throws<ArgumentException>(options.Validate).Message);

        options.Replication.DefaultBucket = new BucketProperties { N = 3, R = 4 };
        Assert.Equal("RingCore:Replication:DefaultBucket:R must be from 1 to N (3) (got 4).", Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public void A_node_name_longer_than_the_library_keeps_is_refused_at_start_not_at_the_first_write()
    {
        var options = new RingNodeOptions { PartitionCount = 8, NodeName = new string('n', RingMember.MaxNameBytes + 1) };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith($"RingCore:NodeName must be at most {RingMember.MaxNameBytes} UTF-8 bytes (got {RingMember.MaxNameBytes + 1} bytes)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(options.NodeName, error.Message, StringComparison.Ordinal); // the name itself is not echoed
        new RingNodeOptions { PartitionCount = 8, NodeName = new string('n', RingMember.MaxNameBytes) }.Validate();
    }

    [Fact]
    public void A_ring_member_name_longer_than_a_replica_id_takes_is_refused_when_the_ring_is_built()
    {
        string longName = new('é', RingMember.MaxNameBytes / 2 + 1); // two UTF-8 bytes each

        var error = Assert.Throws<ArgumentException>(() => RingClaim.Initial(8, ["a", longName]));

        Assert.Contains($"at most {RingMember.MaxNameBytes} UTF-8 bytes (got {RingMember.MaxNameBytes + 2},", error.Message, StringComparison.Ordinal);
        string longest = new('é', RingMember.MaxNameBytes / 2);
        Assert.Equal(2, RingClaim.Initial(8, ["a", longest]).Ring.Members.Length);
        _ = ReplicaId.Create(longest, 0, 1); // what the ring accepts, a vnode can name
    }

    [Fact]
    public async Task An_actor_type_name_longer_than_a_bucket_name_is_refused_when_defined_not_at_the_first_write()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 },
            actors => CounterActor.Define(actors, new string('t', 2000), ActorDurability.WriteThrough)));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("at most 1024 UTF-8 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("(got 2000,", error.Message, StringComparison.Ordinal);

        // The longest accepted name is one whose state can be stored.
        string longest = new('t', 1024);
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 },
            actors => CounterActor.Define(actors, longest, ActorDurability.WriteThrough));
        var actor = node.GetActor(longest, "k");
        actor.Tell(new CounterActor.Increment(2));
        Assert.Equal(2, await actor.Ask<long>(new CounterActor.Get()));
    }

    [Fact]
    public async Task A_durability_that_is_not_one_of_the_enum_is_refused_when_the_type_is_defined()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 },
            actors => CounterActor.Define(actors, "counter", (ActorDurability)42)));

        Assert.Equal("durability", error.ParamName);
        Assert.Contains("WriteThrough, WriteBehind or Ephemeral", error.Message, StringComparison.Ordinal);
        Assert.Contains("42", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_placement_that_is_not_one_of_the_enum_is_refused_when_the_type_is_defined()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 },
            actors => actors.Add<int>("t", type => type.InitialState(_ => 0).On<int>((s, m, _) => s + m).WithPlacement((ActorPlacement)7))));

        Assert.Equal("placement", error.ParamName);
        Assert.Contains("7", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public async Task An_idle_timeout_that_is_not_positive_is_refused_with_the_value(long ticks)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 },
            actors => CounterActor.Define(actors, "counter", ActorDurability.Ephemeral, TimeSpan.FromTicks(ticks))));

        Assert.Equal("idleTimeout", error.ParamName);
        Assert.Contains(TimeSpan.FromTicks(ticks).ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_call_timeouts_past_a_timers_longest_wait_are_refused_before_anything_is_sent()
    {
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 },
            actors => CounterActor.Define(actors, "counter", ActorDurability.WriteThrough));
        var counter = node.GetActor("counter", "k");

        var ask = Assert.Throws<ArgumentOutOfRangeException>(() => counter.Ask<long>(new CounterActor.Increment(), TooLong));
        Assert.Equal("timeout", ask.ParamName);
        Assert.Contains("49.7 days", ask.Message, StringComparison.Ordinal);

        var get = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => node.GetAsync("b", "k", new QuorumOptions { Timeout = TooLong }));
        Assert.Contains("QuorumOptions.Timeout", get.Message, StringComparison.Ordinal);
        Assert.Contains("49.7 days", get.Message, StringComparison.Ordinal);

        var put = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            node.PutAsync("b", "k", "v"u8.ToArray(), CausalContext.Empty, new QuorumOptions { Timeout = TimeSpan.Zero }));
        Assert.Contains("QuorumOptions.Timeout", put.Message, StringComparison.Ordinal);

        Assert.Equal(0, await counter.Ask<long>(new CounterActor.Get())); // the refused Ask was never sent
    }

    [Theory]
    [InlineData("dueTime")]
    [InlineData("period")]
    public async Task An_actor_timer_no_timer_can_wait_for_is_refused_to_the_handler_and_the_running_timer_is_kept(string which)
    {
        var fakeTime = new RingCore.TestKit.Simulation.VirtualTimeProvider();
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 },
            actors => actors.Add<int>("clock", type => type.InitialState(_ => 0)
                .On<TimeSpan[], bool>((ticks, times, context) =>
                {
                    context.RegisterTimer("tick", times[0], times[1], "tick");
                    return (ticks, true);
                })
                .On<string>((ticks, _, _) => ticks + 1)
                .On<int, int>((ticks, _, _) => (ticks, ticks))
                .WithDurability(ActorDurability.Ephemeral)),
            new RingNodeServices { Time = fakeTime });
        var clock = node.GetActor("clock", "k");
        var second = TimeSpan.FromSeconds(1);
        Assert.True(await clock.Ask<bool>(new[] { second, second }));

        TimeSpan[] bad = which == "dueTime" ? [TooLong, second] : [second, TooLong];
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => clock.Ask<bool>(bad).AsTask());

        Assert.Equal(which, error.ParamName);
        Assert.Contains("Timer 'tick'", error.Message, StringComparison.Ordinal);
        Assert.Contains("49.7 days", error.Message, StringComparison.Ordinal);
        fakeTime.Advance(second);
        await WaitFor(async () => await clock.Ask<int>(0) >= 1); // the first timer still ticks
    }

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        for (int i = 0; i < 500 && !await condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(await condition(), "the condition did not hold within 5 s");
    }

    [Fact]
    public async Task A_bucket_whose_reap_delay_no_timer_can_wait_is_refused_when_configured()
    {
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            node.ConfigureBucket("b", new BucketProperties { N = 1, R = 1, W = 1, TombstoneReapDelay = TooLong }));

        Assert.Equal(nameof(BucketProperties.TombstoneReapDelay), error.ParamName);
        Assert.Contains("49.7 days", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_null_actor_type_name_is_named_as_the_type_name()
    {
        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentNullException>(() =>
            RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 }, actors => actors.Add<int>(null!, _ => { })))).ParamName);

        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 },
            actors => CounterActor.Define(actors, "counter", ActorDurability.Ephemeral));
        Assert.Equal("typeName", Assert.Throws<ArgumentNullException>(() => node.GetActor(null!, "k")).ParamName);
        Assert.Equal("typeName", Assert.Throws<ArgumentNullException>(() => node.GetActor(null!, "k"u8)).ParamName);
        var unknown = Assert.Throws<ArgumentException>(() => node.GetActor("nope", "k"));
        Assert.Equal("typeName", unknown.ParamName);
        Assert.Contains("'nope'", unknown.Message, StringComparison.Ordinal);
    }
}
