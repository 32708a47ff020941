using RingCore.Storage;
using RingCore.Storage.Faster;
using RingCore.Storage.Faster.Internal;

namespace RingCore.Tests.Storage.Faster;

/// <summary>
/// Group commit: writers that arrive while a commit runs share the next one, every writer is
/// released only by a commit that started after it joined, and a failed commit fails its writers.
/// </summary>
public sealed class FasterGroupCommitterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Writers_arriving_during_a_commit_share_the_next_one()
    {
        var commits = new ScriptedCommits();
        var committer = new FasterGroupCommitter(commits.CommitAsync, FasterCommitMode.CommitBeforeAcknowledge, TimeSpan.FromSeconds(1), TimeProvider.System);
        committer.Start();

        var first = committer.WrittenAsync(CancellationToken.None).AsTask();
        await commits.Started(1).WaitAsync(Patience);

        // Commit 1 is running: these ten joined after it took its batch.
        var later = Enumerable.Range(0, 10).Select(_ => committer.WrittenAsync(CancellationToken.None).AsTask()).ToArray();
        commits.Finish(1);
        await first.WaitAsync(Patience);
        Assert.All(later, task => Assert.False(task.IsCompleted, "released by a commit that began before the write joined"));

        await commits.Started(2).WaitAsync(Patience);
        commits.Finish(2);
        await Task.WhenAll(later).WaitAsync(Patience);

        await committer.StopAsync();
        Assert.Equal(2, commits.Count);
    }

    [Fact]
    public async Task A_failed_commit_fails_its_writers_and_the_next_commit_serves_new_ones()
    {
        var commits = new ScriptedCommits();
        var committer = new FasterGroupCommitter(commits.CommitAsync, FasterCommitMode.CommitBeforeAcknowledge, TimeSpan.FromSeconds(1), TimeProvider.System);
        committer.Start();

        var doomed = committer.WrittenAsync(CancellationToken.None).AsTask();
        await commits.Started(1).WaitAsync(Patience);
        commits.Fail(1, new IOException("disk full"));
        var error = await Assert.ThrowsAsync<IOException>(() => doomed.WaitAsync(Patience));
        Assert.Equal("disk full", error.InnerException!.Message);

        var next = committer.WrittenAsync(CancellationToken.None).AsTask();
        await commits.Started(2).WaitAsync(Patience);
        commits.Finish(2);
        await next.WaitAsync(Patience);
        await committer.StopAsync();
    }

    [Fact]
    public async Task Stop_commits_a_batch_whose_writer_stopped_waiting()
    {
        var commits = new ScriptedCommits();
        var committer = new FasterGroupCommitter(commits.CommitAsync, FasterCommitMode.CommitBeforeAcknowledge, TimeSpan.FromSeconds(1), TimeProvider.System);
        committer.Start();
        var busy = committer.WrittenAsync(CancellationToken.None).AsTask();
        await commits.Started(1).WaitAsync(Patience);

        using var impatient = new CancellationTokenSource();
        var abandoned = committer.WrittenAsync(impatient.Token).AsTask();
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        commits.Finish(1);
        await busy.WaitAsync(Patience);
        var stopping = committer.StopAsync().AsTask();
        await commits.Started(2).WaitAsync(Patience);
        commits.Finish(2);
        await stopping.WaitAsync(Patience);
        Assert.Equal(2, commits.Count);
    }

    [Fact]
    public async Task Interval_mode_acknowledges_at_once_and_commits_only_when_dirty()
    {
        int commits = 0;
        var committer = new FasterGroupCommitter(
            () => { Interlocked.Increment(ref commits); return ValueTask.CompletedTask; },
            FasterCommitMode.CommitInterval,
            TimeSpan.FromMilliseconds(10),
            TimeProvider.System);
        committer.Start();

        Assert.True(committer.WrittenAsync(CancellationToken.None).IsCompletedSuccessfully);
        var deadline = DateTime.UtcNow + Patience;
        while (Volatile.Read(ref commits) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        await Task.Delay(100);
        Assert.Equal(1, Volatile.Read(ref commits));
        await committer.StopAsync();
    }

    /// <summary>Commits that start when the committer calls and end when the test says.</summary>
    private sealed class ScriptedCommits
    {
        private readonly List<TaskCompletionSource> _started = [];
        private readonly List<TaskCompletionSource> _finished = [];

        public int Count
        {
            get
            {
                lock (_started)
                {
                    return _started.Count(s => s.Task.IsCompleted);
                }
            }
        }

        public async ValueTask CommitAsync()
        {
            TaskCompletionSource finished;
            lock (_started)
            {
                int number = _started.Count(s => s.Task.IsCompleted) + 1;
                Slot(number).started.TrySetResult();
                finished = Slot(number).finished;
            }

            await finished.Task;
        }

        public Task Started(int number)
        {
            lock (_started)
            {
                return Slot(number).started.Task;
            }
        }

        public void Finish(int number) => Finished(number).TrySetResult();

        public void Fail(int number, Exception exception) => Finished(number).TrySetException(exception);

        private TaskCompletionSource Finished(int number)
        {
            lock (_started)
            {
                return Slot(number).finished;
            }
        }

        private (TaskCompletionSource started, TaskCompletionSource finished) Slot(int number)
        {
            while (_started.Count < number)
            {
                _started.Add(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                _finished.Add(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            return (_started[number - 1], _finished[number - 1]);
        }
    }
}
