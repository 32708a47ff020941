using RingCore.Handoff;

namespace RingCore.Tests.Handoff;

/// <summary>A transfer's total is counted once, only when a report asks, and the count stops with the transfer.</summary>
public sealed class TransferTrackerTests
{
    [Fact]
    public void The_count_runs_once_and_only_when_a_report_asks()
    {
        var tracker = new TransferTracker("a", TimeProvider.System);
        int counts = 0;
        tracker.Start(1, "b", TransferProgressKind.Ownership, _ => Task.FromResult(40L + Interlocked.Increment(ref counts) - 1));
        tracker.Start(2, "b", TransferProgressKind.Ownership, _ => Task.FromResult(40L + Interlocked.Increment(ref counts) - 1));
        tracker.End(2, "b", TransferProgressKind.Ownership, completed: true);
        Assert.Equal(0, counts); // nobody asked: nothing counted
        Assert.Equal(1, tracker.Completed);

        tracker.Snapshot(); // asks: the count starts (and here completes at once)
        Assert.Equal(40, tracker.Snapshot().Single().ObjectsTotal);
        Assert.Equal(40, tracker.Snapshot().Single().ObjectsTotal);
        Assert.Equal(1, counts);
    }

    [Fact]
    public async Task Ending_a_transfer_cancels_its_count_and_a_failed_count_leaves_the_total_unknown()
    {
        var tracker = new TransferTracker("a", TimeProvider.System);
        var cancelled = new TaskCompletionSource();
        tracker.Start(1, "b", TransferProgressKind.Repair, async cancellation =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellation);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }

            return 1;
        });
        tracker.Start(2, "b", TransferProgressKind.Repair, _ => throw new IOException("closed"));

        Assert.All(tracker.Snapshot(), progress => Assert.Null(progress.ObjectsTotal));
        Assert.False(cancelled.Task.IsCompleted);
        tracker.End(1, "b", TransferProgressKind.Repair, completed: false);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(tracker.Snapshot().Single().ObjectsTotal);
    }
}
