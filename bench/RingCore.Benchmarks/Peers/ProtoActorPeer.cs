using Proto;
using RingCore.Benchmarks.Actors;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// The Proto.Actor side of the peer benchmarks: an actor system with the defaults a user gets
/// (<c>new ActorSystem()</c>: the thread-pool dispatcher, unbounded mailboxes, 300 messages a
/// turn) and the three actors the workloads need, each an <see cref="IActor"/> (the package's
/// own, leanest actor form).
/// </summary>
internal static class ProtoActorPeer
{
    /// <summary>Starts an actor system with the default configuration.</summary>
    public static ActorSystem Start() => new();

    /// <summary>
    /// Counts a key's messages down and signals after its last, exactly what the RingCore counter's
    /// handler does with its state (see <see cref="TellThroughputBenchmarks"/>).
    /// </summary>
    public sealed class Countdown : IActor
    {
        private readonly CompletionSignal _signal;
        private readonly int _messagesPerKey;
        private int _remaining;

        /// <summary>Counts <paramref name="messagesPerKey"/> messages per invocation for <paramref name="signal"/>.</summary>
        public Countdown(CompletionSignal signal, int messagesPerKey)
        {
            _signal = signal;
            _messagesPerKey = messagesPerKey;
            _remaining = messagesPerKey;
        }

        /// <inheritdoc/>
        public Task ReceiveAsync(IContext context)
        {
            // Lifecycle messages (Started, ...) arrive here too; only the benchmark's message counts.
            if (context.Message is Increment)
            {
                if (--_remaining == 0)
                {
                    _remaining = _messagesPerKey;
                    _signal.Signal();
                }
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Replies to each <see cref="Get"/> with its state, as the RingCore Ask benchmark's actor does.</summary>
    public sealed class Responder : IActor
    {
        /// <summary>The state the replies carry.</summary>
        public long State { get; set; }

        /// <inheritdoc/>
        public Task ReceiveAsync(IContext context)
        {
            if (context.Message is Get)
            {
                context.Respond(State);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>An idle actor: a <see cref="long"/> state that never changes, and one message that only reports it ran.</summary>
    public sealed class Idle(CompletionSignal signal) : IActor
    {
        /// <summary>The state: 8 bytes the actor keeps, like the RingCore idle actor's.</summary>
        public long State { get; set; }

        /// <inheritdoc/>
        public Task ReceiveAsync(IContext context)
        {
            if (context.Message is Increment)
            {
                signal.Signal();
            }

            return Task.CompletedTask;
        }
    }
}
