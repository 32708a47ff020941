using System.Diagnostics;

namespace RingCore.Benchmarks.Actors;

/// <summary>
/// Tells the benchmark thread that every message of an invocation has been handled: consumers
/// call <see cref="Signal"/> a known number of times and <see cref="Wait"/> returns after the last.
/// </summary>
/// <remarks>
/// The actor and every baseline signal through this one type, so they all pay the same price for
/// being waited on. Consumers signal once per key per invocation (after the key's last message),
/// not once per message: a counter that every message bumps from two cores is a contended cache
/// line, which would put tens of nanoseconds of cache-line ping-pong into every message and hide
/// the difference between the mailboxes being compared.
/// </remarks>
internal sealed class CompletionSignal
{
    // Far longer than any invocation; a lost message fails the benchmark instead of hanging it.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly ManualResetEventSlim _done = new(initialState: true);
    private int _remaining;

    /// <summary>Arms the signal for an invocation that ends after <paramref name="signals"/> calls to <see cref="Signal"/>.</summary>
    public void Expect(int signals)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(signals, 1);
        Debug.Assert(_done.IsSet, "The previous invocation must have been waited for, or its late signals would count toward this one.");
        _done.Reset();
        Volatile.Write(ref _remaining, signals);
    }

    /// <summary>Counts one signal; the last one releases <see cref="Wait"/>.</summary>
    public void Signal()
    {
        int remaining = Interlocked.Decrement(ref _remaining);
        Debug.Assert(remaining >= 0, "More signals than expected: some key received more messages than the invocation sent it.");
        if (remaining == 0)
        {
            _done.Set();
        }
    }

    /// <summary>Blocks until the expected number of signals have arrived.</summary>
    /// <exception cref="TimeoutException">They did not arrive within two minutes: a message was lost.</exception>
    public void Wait()
    {
        if (!_done.Wait(Patience))
        {
            throw new TimeoutException(
                $"{Volatile.Read(ref _remaining)} signals were still missing after {Patience.TotalMinutes:0} minutes: a message was lost.");
        }
    }
}
