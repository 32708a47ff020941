namespace RingCore.TestKit.Simulation;

/// <summary>
/// Virtual time for a simulation: the clock stands still until the simulation moves it, to the
/// next timer when no work is ready (FoundationDB's and TigerBeetle's simulators do the same), so
/// a minute of timeouts takes no wall-clock time and every run of a seed sees the same times.
/// </summary>
/// <remarks>
/// Timers that fall due at the same instant fire in the order they were set. Not meant for use
/// from several threads at once: the simulation runs on one.
/// </remarks>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<(VirtualTimer Timer, long Version), (long Due, long Sequence)> _timers = new();
    private readonly long _start;
    private long _ticks;
    private long _sequence;

    /// <summary>Starts the clock at <paramref name="start"/> (2026-01-01 UTC when null).</summary>
    public VirtualTimeProvider(DateTimeOffset? start = null)
    {
        _ticks = (start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).UtcTicks;
        _start = _ticks;
    }

    /// <summary>How much virtual time has passed since the start.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks) - _start);

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <inheritdoc />
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock to the earliest armed timer and fires it (and, one at a time, every other
    /// timer due at that instant); false when no timer is armed.
    /// </summary>
    public bool AdvanceToNextTimer()
    {
        VirtualTimer? next = null;
        lock (_gate)
        {
            while (_timers.TryPeek(out var entry, out var due))
            {
                _timers.Dequeue();
                if (entry.Timer.Version != entry.Version)
                {
                    continue; // changed or disposed since it was queued
                }

                next = entry.Timer;
                Interlocked.Exchange(ref _ticks, Math.Max(Interlocked.Read(ref _ticks), due.Due));
                if (next.PeriodTicks > 0)
                {
                    Arm(next, due.Due + next.PeriodTicks);
                }
                else
                {
                    next.Version++;
                }

                break;
            }
        }

        next?.Fire();
        return next is not null;
    }

    /// <summary>Moves the clock forward by <paramref name="by"/>, firing every timer due on the way.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target = Interlocked.Read(ref _ticks) + by.Ticks;
        while (NextDue() is { } due && due <= target)
        {
            AdvanceToNextTimer();
        }

        Interlocked.Exchange(ref _ticks, Math.Max(Interlocked.Read(ref _ticks), target));
    }

    /// <summary>When the earliest armed timer is due (in ticks); null when none is armed.</summary>
    public long? NextDue()
    {
        lock (_gate)
        {
            while (_timers.TryPeek(out var entry, out var due))
            {
                if (entry.Timer.Version == entry.Version)
                {
                    return due.Due;
                }

                _timers.Dequeue();
            }

            return null;
        }
    }

    private void Arm(VirtualTimer timer, long due)
    {
        timer.Version++;
        _timers.Enqueue((timer, timer.Version), (due, _sequence++));
    }

    private sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long Version { get; set; }

        public long PeriodTicks { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Version++; // any queued firing is stale now
                PeriodTicks = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? 0 : period.Ticks;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    owner.Arm(this, owner.GetTimestamp() + Math.Max(0, dueTime.Ticks));
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                Version++;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
