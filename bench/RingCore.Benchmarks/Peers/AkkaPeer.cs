using Akka.Actor;
using RingCore.Benchmarks.Actors;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// The Akka.NET side of the peer benchmarks: an actor system with the defaults a user gets
/// (<c>ActorSystem.Create</c> with no HOCON: the default dispatcher, unbounded mailboxes, 30
/// messages a turn) and the three actors the workloads need, each an <see cref="UntypedActor"/>
/// (one virtual call per message; a <c>ReceiveActor</c> adds a handler lookup on top).
/// </summary>
internal static class AkkaPeer
{
    /// <summary>Starts an actor system with the default configuration.</summary>
    public static ActorSystem Start() => ActorSystem.Create("peers");

    /// <summary>
    /// Counts a key's messages down and signals after its last, exactly what the RingCore counter's
    /// handler does with its state (see <see cref="TellThroughputBenchmarks"/>).
    /// </summary>
    public sealed class Countdown : UntypedActor
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
        protected override void OnReceive(object message)
        {
            if (message is Increment && --_remaining == 0)
            {
                _remaining = _messagesPerKey;
                _signal.Signal();
            }
        }
    }

    /// <summary>Replies to each <see cref="Get"/> with its state, as the RingCore Ask benchmark's actor does.</summary>
    public sealed class Responder : UntypedActor
    {
        /// <summary>The state the replies carry.</summary>
        public long State { get; set; }

        /// <inheritdoc/>
        protected override void OnReceive(object message)
        {
            if (message is Get)
            {
                Sender.Tell(State);
            }
        }
    }

    /// <summary>An idle actor: a <see cref="long"/> state that never changes, and one message that only reports it ran.</summary>
    public sealed class Idle(CompletionSignal signal) : UntypedActor
    {
        /// <summary>The state: 8 bytes the actor keeps, like the RingCore idle actor's.</summary>
        public long State { get; set; }

        /// <inheritdoc/>
        protected override void OnReceive(object message)
        {
            if (message is Increment)
            {
                signal.Signal();
            }
        }
    }
}
