using System.Diagnostics;

namespace RingCore.Benchmarks.Actors;

/// <summary>
/// The consumer of one key in the channel and ActionBlock baselines: it counts the key's messages
/// down and signals when the key has received all of an invocation's messages, exactly what the
/// benchmark actor does with its state.
/// </summary>
/// <remarks>
/// Only one thread at a time handles a key (a single-reader channel loop, an ActionBlock with its
/// default parallelism of 1), so the count is a plain field, as an actor's state is.
/// </remarks>
internal sealed class KeyCountdown
{
    private readonly CompletionSignal _signal;
    private readonly int _messagesPerKey;
    private int _remaining;

    public KeyCountdown(CompletionSignal signal, int messagesPerKey)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messagesPerKey, 1);
        _signal = signal;
        _messagesPerKey = messagesPerKey;
        _remaining = messagesPerKey;
    }

    /// <summary>Handles one message.</summary>
    public void Handle(Increment message)
    {
        Debug.Assert(message is not null, "The baselines send the benchmark's one Increment instance.");
        if (--_remaining == 0)
        {
            _remaining = _messagesPerKey;
            _signal.Signal();
        }
    }
}
