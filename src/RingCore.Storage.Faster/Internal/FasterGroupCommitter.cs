using System.Diagnostics;
using System.Threading.Channels;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// Makes a store's writes durable by running its commit (a FASTER checkpoint) on one background
/// loop. In <see cref="FasterCommitMode.CommitBeforeAcknowledge"/> mode this is group commit:
/// each writer, after its write is in FASTER, joins the batch waiting for the next commit; the
/// loop takes the whole batch, commits once, and releases every writer in it. Writers that
/// arrive during a commit form the next batch. So N concurrent writers cost one checkpoint, not
/// N: group commit, as database logs do it (DeWitt et al., "Implementation techniques for main
/// memory database systems", SIGMOD 1984).
/// In <see cref="FasterCommitMode.CommitInterval"/> mode writers only mark the store dirty and
/// the loop commits every interval.
/// </summary>
/// <remarks>
/// Why a commit covers the batch it took: a writer joins only after FASTER has applied its write,
/// the loop detaches the batch before starting the checkpoint, and a FASTER checkpoint contains
/// every operation that completed before it began (CPR: Prasaad et al., "Concurrent Prefix
/// Recovery", SIGMOD 2019).
/// </remarks>
internal sealed class FasterGroupCommitter
{
    private readonly Func<ValueTask> _commit;
    private readonly FasterCommitMode _mode;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _timeProvider;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource? _nextBatch;
    private int _dirty;
    private Task? _loop;

    public FasterGroupCommitter(Func<ValueTask> commit, FasterCommitMode mode, TimeSpan interval, TimeProvider timeProvider)
    {
        _commit = commit;
        _mode = mode;
        _interval = interval;
        _timeProvider = timeProvider;
    }

    public void Start()
    {
        Debug.Assert(_loop is null, "The commit loop starts once.");
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Called after a write has been applied: completes once the write is as durable as the mode
    /// promises. Cancelling stops the wait, not the write, which may or may not be committed.
    /// </summary>
    public ValueTask WrittenAsync(CancellationToken cancellationToken)
    {
        if (_mode == FasterCommitMode.CommitInterval)
        {
            Volatile.Write(ref _dirty, 1);
            return ValueTask.CompletedTask;
        }

        Task batch;
        lock (_gate)
        {
            _nextBatch ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            batch = _nextBatch.Task;
        }

        _wake.Writer.TryWrite(true);
        return new ValueTask(cancellationToken.CanBeCanceled ? batch.WaitAsync(cancellationToken) : batch);
    }

    /// <summary>
    /// Stops the loop after its current commit, then commits once more if a batch is still
    /// waiting (a writer whose wait was cancelled leaves its batch behind). The store takes its
    /// final full checkpoint after this.
    /// </summary>
    public async ValueTask StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        bool leftover;
        lock (_gate)
        {
            leftover = _nextBatch is not null;
        }

        if (leftover)
        {
            await CommitPendingAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var stopping = _stop.Token;
        try
        {
            while (true)
            {
                if (_mode == FasterCommitMode.CommitBeforeAcknowledge)
                {
                    await _wake.Reader.ReadAsync(stopping).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(_interval, _timeProvider, stopping).ConfigureAwait(false);
                }

                await CommitPendingAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped by StopAsync.
        }
    }

    private async Task CommitPendingAsync()
    {
        TaskCompletionSource? batch;
        lock (_gate)
        {
            batch = _nextBatch;
            _nextBatch = null;
        }

        bool dirty = Interlocked.Exchange(ref _dirty, 0) == 1;
        if (batch is null && !dirty)
        {
            return;
        }

        try
        {
            await _commit().ConfigureAwait(false);
            batch?.TrySetResult();
        }
        catch (Exception exception)
        {
            // The writers of this batch learn that their write may not be durable; interval-mode
            // writes are retried at the next interval.
            batch?.TrySetException(new IOException("Committing the FASTER store failed; the write is applied but may not survive a crash.", exception));
            if (dirty)
            {
                Volatile.Write(ref _dirty, 1);
            }
        }
    }
}
