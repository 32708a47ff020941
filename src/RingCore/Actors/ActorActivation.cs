using System.Collections.Concurrent;
using System.Diagnostics;
using RingCore.VNodes;

namespace RingCore.Actors;

/// <summary>
/// One active actor: its mailbox and the machinery that runs it one message at a time.
/// </summary>
/// <remarks>
/// <para>Enqueue takes no lock: senders pass a gate (an in-flight counter with a closed bit) and
/// add a struct to a <see cref="ConcurrentQueue{T}"/>. The first sender to find the actor idle
/// flips <c>_scheduled</c> from 0 to 1 and queues a turn on the scheduler; a turn handles at most
/// the vnode's turn limit of messages and queues another turn if mail remains, so a busy actor
/// cannot hog a thread (fairness across keys).</para>
/// <para>Passivation takes the same <c>_scheduled</c> flag, so it never overlaps a turn; it
/// closes the gate, waits for senders already past it, and gives up if any mail arrived.
/// Senders that meet a closed gate wait until the actor is gone and activate it afresh, so no
/// message is dropped and each sender's messages keep their order.</para>
/// </remarks>
internal abstract class ActorActivation : IThreadPoolWorkItem
{
    private const int ClosedBit = 1 << 30;

    private readonly ConcurrentQueue<Envelope> _mailbox = new();
    private int _gate;
    private int _scheduled;
    private int _flushPending;
    private long _lastActivity;
    private Dictionary<string, ITimer>? _timers;

    protected ActorActivation(VNode vnode, ActorType type, ActorId id)
    {
        VNode = vnode;
        Type = type;
        Id = id;
        Context = new ActorContext(this);
        _lastActivity = vnode.Time.GetTimestamp();
    }

    public VNode VNode { get; }

    public ActorType Type { get; }

    public ActorId Id { get; }

    public ActorContext Context { get; }

    /// <summary>Whether the gate is closed for good: the activation passivated and left its vnode's table.</summary>
    public bool IsGone { get; private set; }

    /// <summary>Whether state changes wait to be stored (WriteBehind).</summary>
    public abstract bool IsDirty { get; }

    public bool TryEnqueue(in Envelope envelope)
    {
        if ((Interlocked.Increment(ref _gate) & ClosedBit) != 0)
        {
            Interlocked.Decrement(ref _gate);
            return false;
        }

        _mailbox.Enqueue(envelope);
        Interlocked.Decrement(ref _gate);
        if (Volatile.Read(ref _scheduled) == 0 && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            VNode.Scheduler.Schedule(this);
        }

        return true;
    }

    /// <summary>Asks the actor to store its state on its next turn; at most one such request waits at a time.</summary>
    public void RequestFlush(object flushMessage)
    {
        if (Interlocked.CompareExchange(ref _flushPending, 1, 0) == 0
            && !TryEnqueue(new Envelope(flushMessage, null, EnvelopeKind.Flush)))
        {
            Volatile.Write(ref _flushPending, 0); // passivating: it stores its state itself
        }
    }

    public void Execute()
    {
        var turn = RunTurnAsync();
        if (!turn.IsCompletedSuccessfully)
        {
            _ = CompleteTurnAsync(turn);
        }
    }

    /// <summary>
    /// Passivates the actor if it has been idle for its type's timeout (or <paramref name="force"/>,
    /// at shutdown): stores pending state, stops its timers and removes it from the vnode.
    /// False when it is busy, got mail meanwhile, or its state could not be stored.
    /// </summary>
    public async ValueTask<bool> TryPassivateAsync(bool force)
    {
        if (!force && VNode.Time.GetElapsedTime(Volatile.Read(ref _lastActivity)) < Type.IdleTimeout)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
        {
            return false; // a turn is queued or running: not idle
        }

        Interlocked.Or(ref _gate, ClosedBit);
        var spin = new SpinWait();
        while ((Volatile.Read(ref _gate) & ~ClosedBit) != 0)
        {
            spin.SpinOnce(); // senders past the gate finish their enqueue in nanoseconds
        }

        if (!_mailbox.IsEmpty)
        {
            Reopen();
            return false;
        }

        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The state stays in memory and dirty; the next sweep or shutdown tries again.
            Reopen();
            return false;
        }

        StopTimers();
        IsGone = true;
        VNode.Remove(this);
        return true;
    }

    public void RegisterTimer(string name, TimeSpan dueTime, TimeSpan period, object message)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(message);
        if (!Type.Handles(message.GetType()))
        {
            throw new ArgumentException($"Actor type '{Type.Name}' has no handler for timer message {message.GetType().Name}.", nameof(message));
        }

        var timers = _timers ??= new Dictionary<string, ITimer>(StringComparer.Ordinal);
        if (timers.Remove(name, out var previous))
        {
            previous.Dispose();
        }

        timers[name] = VNode.Time.CreateTimer(static state =>
        {
            var (activation, message) = ((ActorActivation, object))state!;
            activation.TryEnqueue(new Envelope(message, null, EnvelopeKind.Timer));
        }, (this, message), dueTime, period);
    }

    public bool CancelTimer(string name)
    {
        if (_timers is not null && _timers.Remove(name, out var timer))
        {
            timer.Dispose();
            return true;
        }

        return false;
    }

    /// <summary>Handles one envelope; the state type's half of the activation.</summary>
    protected abstract ValueTask HandleAsync(Envelope envelope);

    /// <summary>Loads the state on the first turn.</summary>
    protected abstract ValueTask EnsureLoadedAsync();

    /// <summary>Stores pending state (WriteBehind); called only while this activation holds its turn.</summary>
    protected abstract ValueTask FlushAsync();

    private async ValueTask RunTurnAsync()
    {
        try
        {
            try
            {
                await EnsureLoadedAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // The state cannot be read (e.g. a corrupt store): fail what is waiting, stay
                // unloaded, and try again on the next message.
                while (_mailbox.TryDequeue(out var envelope))
                {
                    envelope.Reply?.Fail(exception);
                }

                return;
            }

            // Activity is stamped once per turn, not per Tell: a message still in the mailbox
            // already keeps the actor from passivating, so only handled ones need a time.
            bool handledUserMessage = false;
            for (int handled = 0; handled < VNode.TurnMessageLimit && _mailbox.TryDequeue(out var envelope); handled++)
            {
                handledUserMessage |= envelope.Kind == EnvelopeKind.User;
                if (envelope.Kind == EnvelopeKind.Flush)
                {
                    Volatile.Write(ref _flushPending, 0);
                }

                await HandleAsync(envelope).ConfigureAwait(false);
            }

            if (handledUserMessage)
            {
                Volatile.Write(ref _lastActivity, VNode.Time.GetTimestamp());
            }
        }
        finally
        {
            EndTurn();
        }
    }

    private static async Task CompleteTurnAsync(ValueTask turn)
    {
        try
        {
            await turn.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Handlers' exceptions go to their askers; anything reaching here is a runtime bug.
            Debug.Fail($"An actor turn failed: {exception}");
        }
    }

    private void EndTurn()
    {
        if (!_mailbox.IsEmpty)
        {
            VNode.Scheduler.Schedule(this); // keep _scheduled = 1: the next turn is ours
            return;
        }

        // The exchange is a full fence, so the emptiness check below cannot be read before the
        // flag is cleared; a sender that enqueued in between sees 0 or we see its message.
        Interlocked.Exchange(ref _scheduled, 0);
        if (!_mailbox.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            VNode.Scheduler.Schedule(this);
        }
    }

    private void Reopen()
    {
        Interlocked.And(ref _gate, ~ClosedBit);
        EndTurn();
    }

    private void StopTimers()
    {
        if (_timers is null)
        {
            return;
        }

        foreach (var timer in _timers.Values)
        {
            timer.Dispose();
        }

        _timers.Clear();
    }
}
