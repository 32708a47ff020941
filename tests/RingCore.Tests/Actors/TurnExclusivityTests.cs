using System.Collections.Concurrent;
using RingCore.Actors;
using RingCore.Node;
using RingCore.Storage;

namespace RingCore.Tests.Actors;

/// <summary>
/// One turn at a time, for real (issue 12, points 17 and 18): a message that arrives while an
/// async handler is still pending waits for it; many senders never see two handlers of one actor
/// run at once and keep their own order; and a sender caught exactly in the window where a
/// passivating actor has closed its mailbox reaches the next activation, with the state stored.
/// </summary>
public sealed class TurnExclusivityTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public sealed record Hold;

    public sealed record Probe(int Sender, int Sequence);

    public sealed record Seen;

    public sealed record Add(int By);

    public sealed record Get;

    [Fact]
    public async Task A_message_that_arrives_while_an_async_handler_is_pending_waits_for_it()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int pending = 0;
        var log = new ConcurrentQueue<string>();
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 }, actors => actors.Add<int>("serial", type => type
            .InitialState(_ => 0)
            .OnAsync<Hold, int>(async (state, _, _) =>
            {
                Interlocked.Increment(ref pending);
                log.Enqueue("hold:start");
                entered.SetResult();
                await gate.Task;
                log.Enqueue("hold:end");
                Interlocked.Decrement(ref pending);
                return (state + 1, state + 1);
            })
            .On<Probe, int>((state, _, _) =>
            {
                log.Enqueue(Volatile.Read(ref pending) == 0 ? "probe" : "probe:OVERLAP");
                return (state + 10, state + 10);
            })
            .WithDurability(ActorDurability.Ephemeral)));
        var actor = node.GetActor("serial", "one");

        var held = actor.Ask<int>(new Hold(), Wait).AsTask();
        await entered.Task.WaitAsync(Wait);
        var probe = actor.Ask<int>(new Probe(0, 0), Wait).AsTask(); // arrives while the handler is pending
        await Task.Delay(100); // room for a runtime that would start a second turn now
        Assert.False(probe.IsCompleted, "a message ran while the previous handler was still pending");
        Assert.Equal(["hold:start"], log);

        gate.SetResult();
        Assert.Equal(1, await held);
        Assert.Equal(11, await probe);
        Assert.Equal(["hold:start", "hold:end", "probe"], log);
    }

    [Fact]
    public async Task Many_senders_never_see_two_handlers_of_one_actor_at_once_and_each_keeps_its_order()
    {
        const int Senders = 8;
        const int PerSender = 2_000;
        int running = 0, overlaps = 0;
        var lastSeen = new int[Senders];
        int outOfOrder = 0;
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16, Actors = { TurnMessageLimit = 7 } }, actors => actors.Add<int>("serial", type => type
            .InitialState(_ => 0)
            .OnAsync<Probe, int>(async (state, message, _) =>
            {
                if (Interlocked.Increment(ref running) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                if (message.Sequence % 3 == 0)
                {
                    await Task.Yield(); // some handlers complete asynchronously: the turn resumes elsewhere
                }

                // Plain (not interlocked) reads and writes: only one handler runs at a time.
                if (message.Sequence != lastSeen[message.Sender] + 1)
                {
                    outOfOrder++;
                }

                lastSeen[message.Sender] = message.Sequence;
                Interlocked.Decrement(ref running);
                return (state + 1, state + 1);
            })
            .On<Seen, int>((state, _, _) => (state, state))
            .WithDurability(ActorDurability.Ephemeral)));
        var actor = node.GetActor("serial", "one");

        using var start = new Barrier(Senders);
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(sender => Task.Run(() =>
        {
            start.SignalAndWait();
            for (int i = 1; i <= PerSender; i++)
            {
                actor.Tell(new Probe(sender, i));
            }
        })));

        Assert.Equal(Senders * PerSender, await actor.Ask<int>(new Seen(), Wait));
        Assert.Equal(0, overlaps);
        Assert.Equal(0, outOfOrder);
        Assert.All(lastSeen, last => Assert.Equal(PerSender, last));
    }

    [Fact]
    public async Task A_sender_caught_after_a_passivating_actor_closed_its_mailbox_reaches_the_next_activation()
    {
        var storage = new MemoryVNodeStoreProvider();
        var options = new RingNodeOptions { PartitionCount = 16, Actors = { PassivationSweepInterval = TimeSpan.FromMilliseconds(20) } };
        await using var node = await RingNode.StartAsync(options, actors => actors.Add<int>("counter", type => type
            .InitialState(_ => 0)
            .On<Add, int>((state, message, _) => (state + message.By, state + message.By))
            .On<Get, int>((state, _, _) => (state, state))
            .PassivateAfter(TimeSpan.FromMilliseconds(20))), new RingNodeServices { Storage = storage });
        var counter = node.GetActor("counter", "k");
        var activations = new ConcurrentQueue<bool>();
        node.ActivationObserver = (type, _, _, active) => activations.Enqueue(active);

        int windows = 0;
        Task<int>? caught = null;
        node.MailboxClosedProbe = (type, key) =>
        {
            if (Interlocked.Increment(ref windows) != 1)
            {
                return;
            }

            // The mailbox is closed and the activation is still in its vnode's table: a sender
            // now must wait for it to leave, then activate the actor afresh.
            var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            caught = Task.Run(async () =>
            {
                sending.SetResult();
                return await counter.Ask<int>(new Add(5), Wait);
            });
            sending.Task.Wait(Wait);
            Thread.Sleep(50); // the sender is now spinning on the closed mailbox
        };

        Assert.Equal(1, await counter.Ask<int>(new Add(1), Wait));
        var deadline = DateTime.UtcNow + Wait;
        while (Volatile.Read(ref caught) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the actor never passivated");
            await Task.Delay(10);
        }

        Assert.Equal(6, await caught!.WaitAsync(Wait)); // the next activation loaded the stored 1
        Assert.Equal([true, false, true], activations.Take(3));
    }
}
