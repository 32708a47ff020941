using RingCore.Grpc;

namespace RingCore.Tests.Grpc;

/// <summary>A peer's send queue: bounded in messages and bytes, refusing rather than waiting; and the reconnect backoff.</summary>
public sealed class SendQueueTests
{
    [Fact]
    public void The_queue_refuses_past_either_limit_and_takes_again_once_drained()
    {
        var queue = new SendQueue(messageLimit: 3, byteLimit: 10);
        Assert.True(queue.TryEnqueue(new byte[4]));
        Assert.True(queue.TryEnqueue(new byte[4]));
        Assert.False(queue.TryEnqueue(new byte[4])); // 12 bytes > 10
        Assert.True(queue.TryEnqueue(new byte[2]));
        Assert.False(queue.TryEnqueue([])); // a fourth message
        Assert.Equal((3, 10L), (queue.Count, queue.Bytes));

        Assert.True(queue.TryPeekLength(out int length));
        Assert.Equal(4, length);
        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal(4, first.Length);
        Assert.True(queue.TryEnqueue(new byte[4]));
        Assert.Equal((3, 10L), (queue.Count, queue.Bytes));

        Assert.Equal(3, queue.Close());
        Assert.Equal((0, 0L), (queue.Count, queue.Bytes));
        Assert.False(queue.TryEnqueue([1]));
    }

    [Fact]
    public async Task Racing_senders_never_pass_the_limits()
    {
        var queue = new SendQueue(messageLimit: 1_000, byteLimit: 1_000);
        int accepted = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 1_000; i++)
            {
                if (queue.TryEnqueue(new byte[7]))
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        })));

        Assert.InRange(accepted, 1, 1_000 / 7);
        Assert.Equal((accepted, accepted * 7L), (queue.Count, queue.Bytes));
        while (queue.TryEnqueue(new byte[7]))
        {
            accepted++; // a refusal under the race was only a rival's reservation: the room is still there
        }

        Assert.Equal(1_000 / 7, accepted);
    }

    [Fact]
    public void The_backoff_doubles_to_its_cap_with_jitter_and_starts_over_after_a_success()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(7));
        var steps = new[] { 100, 200, 400, 800, 1000, 1000 };
        foreach (int step in steps)
        {
            var delay = backoff.Next();
            Assert.InRange(delay.TotalMilliseconds, step / 2.0, step);
        }

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
    }
}
