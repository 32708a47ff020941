using System.Diagnostics;
using System.Text;
using RingCore.Diagnostics;

namespace RingCore.Actors;

/// <summary>
/// One active actor: its mailbox and the machinery that runs it one message at a time.
/// </summary>
/// <remarks>
/// <para>Senders append to the <see cref="Mailbox"/> without a lock. The first sender to find
/// the actor idle flips <c>_scheduled</c> from 0 to 1 and queues a turn on the scheduler; a turn
/// handles at most the vnode's turn limit of messages and queues another turn if mail remains, so
/// a busy actor cannot hog a thread (fairness across keys). A turn that drains the mailbox hands
/// its segment back to the pool, so an idle actor is this object, its key and its state.</para>
/// <para>Passivation takes the same <c>_scheduled</c> flag, so it never overlaps a turn. It
/// stores pending state first, with the mailbox still open, and only then closes the mailbox, one
/// compare-exchange that fails if mail arrived meanwhile (which cancels the passivation). Senders
/// that meet a closed mailbox wait for the actor to leave its vnode's table and activate it afresh, so no message
/// is dropped and each sender's messages keep their order.</para>
/// </remarks>
internal abstract class ActorActivation : IThreadPoolWorkItem
{
    private Mailbox _mailbox;
    private int _scheduled;
    private int _flushPending;
    private long _lastActivity;
    private ActorActivationExtras? _extras;
    private volatile bool _gone;
    private bool _keepsSegment; // the idle mailbox holds a segment under the vnode's budget (turn holder only)
    private bool _dropSegment;  // the next end of turn gives a kept segment back (turn holder only)

    protected ActorActivation(ActorTable host, ActorType type, byte[] key, ulong position)
    {
        Host = host;
        Type = type;
        Key = key;
        Position = position;
        _lastActivity = host.Time.GetTimestamp();
    }

    /// <summary>The actor table of the vnode this activation lives on.</summary>
    public ActorTable Host { get; }

    public ActorType Type { get; }

    public byte[] Key { get; }

    /// <summary>The key's ring position, which is also its hash in the vnode's table.</summary>
    public ulong Position { get; }

    /// <summary>Whether the mailbox is closed for good: the activation passivated and left its vnode's table.</summary>
    public bool IsGone => _gone;

    /// <summary>Whether state changes wait to be stored (WriteBehind).</summary>
    public abstract bool IsDirty { get; }

    public string KeyText => Extras.KeyText ??= Encoding.UTF8.GetString(Key);

    /// <summary>This activation's id, unique across the cluster and restarts (made on first use, so idle actors do not pay for it).</summary>
    public string ActivationId
    {
        get
        {
            var extras = Extras;
            if (Volatile.Read(ref extras.ActivationId) is { } id)
            {
                return id;
            }

            id = Host.Node.NextActivationId();
            return Interlocked.CompareExchange(ref extras.ActivationId, id, null) ?? id;
        }
    }

    private ActorActivationExtras Extras
    {
        get
        {
            var extras = Volatile.Read(ref _extras);
            return extras ?? Interlocked.CompareExchange(ref _extras, extras = new ActorActivationExtras(), null) ?? extras;
        }
    }

    public bool Is(ActorType type, ReadOnlySpan<byte> key, ulong position) =>
        Position == position && ReferenceEquals(Type, type) && key.SequenceEqual(Key);

    public bool TryEnqueue(in Envelope envelope)
    {
        if (!_mailbox.TryEnqueue(envelope))
        {
            return false;
        }

        if (Volatile.Read(ref _scheduled) == 0 && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            Host.Scheduler.Schedule(this);
        }

        return true;
    }

    /// <summary>Asks the actor to store its state on its next turn; at most one such request waits at a time.</summary>
    public void RequestFlush(object flushMessage)
    {
        if (Interlocked.CompareExchange(ref _flushPending, 1, 0) == 0
            && !TryEnqueue(new Envelope(flushMessage, null, 0, EnvelopeKind.Flush)))
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
    /// <see cref="PassivationOutcome.Passivated"/> when it is gone, by this call or an earlier one;
    /// otherwise why it stays: not idle long enough, a turn holds it (queued, running, or mail
    /// that arrived while storing), or its state could not be stored.
    /// </summary>
    public async ValueTask<PassivationOutcome> TryPassivateAsync(bool force)
    {
        if (_gone)
        {
            return PassivationOutcome.Passivated; // e.g. a sweep finished passivating it while shutdown was looking
        }

        if (!force && Host.Time.GetElapsedTime(Volatile.Read(ref _lastActivity)) < Type.IdleTimeout)
        {
            return PassivationOutcome.NotIdle;
        }

        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
        {
            return PassivationOutcome.InTurn; // a turn is queued or running: not idle
        }

        // Holding the turn, so no handler runs; senders may still append and will be served.
        try
        {
            await FlushAsync().ConfigureAwait(false);
            if (_extras is { FailedFlushes: > 0 } extras)
            {
                extras.FailedFlushes = 0;
            }
        }
        catch (Exception exception)
        {
            // The state stays in memory and dirty; the next sweep or shutdown tries again. Each
            // failure is logged with its count and counted on the meter, so a store that keeps
            // failing is seen, not retried in silence.
            int attempt = ++Extras.FailedFlushes;
            Host.Metrics.Count(Host.Metrics.StoreErrors);
            RingCoreLog.StateWriteFailed(Host.Logger, exception, Type.Name, KeyText, attempt);
            EndTurn();
            return PassivationOutcome.NotStored;
        }

        // Give back a kept segment first: the mailbox closes only when nothing is attached.
        if (!_mailbox.TryRelease(mayKeep: false, out _))
        {
            EndTurn(); // mail arrived while storing: serve it, passivate another time
            return PassivationOutcome.InTurn;
        }

        if (_keepsSegment)
        {
            _keepsSegment = false;
            Host.ReleaseKeptSegment();
        }

        if (!_mailbox.CloseIfEmpty())
        {
            EndTurn(); // mail arrived while storing: serve it, passivate another time
            return PassivationOutcome.InTurn;
        }

        Host.Node.MailboxClosed(this); // a test's seam: senders from now on wait for the next activation
        StopTimers();
        Host.Remove(this);
        _gone = true; // after leaving the table, so a sender that saw it gone activates afresh
        Host.Metrics.Count(Host.Metrics.Passivations);
        Host.Node.ObserveActivation(this, active: false);
        return PassivationOutcome.Passivated;
    }

    public void RegisterTimer(string name, TimeSpan dueTime, TimeSpan period, object message)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(message);
        if (!Type.Handles(message.GetType()))
        {
            throw new ArgumentException($"Actor type '{Type.Name}' has no handler for timer message {message.GetType().Name}.", nameof(message));
        }

        var timers = Extras.Timers ??= new Dictionary<string, ITimer>(StringComparer.Ordinal);
        if (timers.Remove(name, out var previous))
        {
            previous.Dispose();
        }

        timers[name] = Host.Time.CreateTimer(static state =>
        {
            var (activation, message) = ((ActorActivation, object))state!;
            activation.TryEnqueue(new Envelope(message, null, 0, EnvelopeKind.Timer));
        }, (this, message), dueTime, period);
    }

    public bool CancelTimer(string name)
    {
        if (_extras?.Timers is { } timers && timers.Remove(name, out var timer))
        {
            timer.Dispose();
            return true;
        }

        return false;
    }

    /// <summary>
    /// Handles one envelope; the state type's half of the activation. True when it completed at
    /// once; false when it goes on in <paramref name="pending"/>.
    /// </summary>
    /// <remarks>
    /// A bool rather than a returned <see cref="ValueTask"/>: returning the struct made the JIT
    /// assemble it in memory from part-width stores and read it back whole, a store-forwarding
    /// stall on every message that measured about a seventh of the one-actor Tell benchmark.
    /// </remarks>
    protected abstract bool TryHandle(in Envelope envelope, out ValueTask pending);

    /// <summary>Loads the state on the first turn.</summary>
    protected abstract ValueTask EnsureLoadedAsync();

    /// <summary>Stores pending state (WriteBehind); called only while this activation holds its turn.</summary>
    protected abstract ValueTask FlushAsync();

    /// <summary>
    /// One turn: loads the state if needed, then handles up to the vnode's turn limit of
    /// messages, then ends the turn. It stays synchronous while the load and the handlers
    /// complete at once, which is the common case (docs/architecture.md, rules for contributors: the hot path returns a completed
    /// ValueTask, the async slow path lives apart), and continues asynchronously from the first
    /// one that does not. Whichever path is running when the turn ends calls <see cref="EndTurn"/>, exactly once.
    /// </summary>
    private ValueTask RunTurnAsync()
    {
        if (Host.IsAbandoned)
        {
            // The node stopped at its deadline while this actor was stuck or draining: what is
            // still queued is not handled (its state could no longer be stored) but failed, so
            // no caller waits for its own timeout.
            FailQueued(NodeStopped());
            EndTurn();
            return default;
        }

        ValueTask loading;
        try
        {
            loading = EnsureLoadedAsync();
        }
        catch (Exception exception)
        {
            FailWaiting(exception);
            EndTurn();
            return default;
        }

        return loading.IsCompletedSuccessfully ? RunMessages(0, handledUserMessage: false) : LoadThenRunAsync(loading);
    }

    private async ValueTask LoadThenRunAsync(ValueTask loading)
    {
        try
        {
            await loading.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            FailWaiting(exception);
            EndTurn();
            return;
        }

        await RunMessages(0, handledUserMessage: false).ConfigureAwait(false);
    }

    private ValueTask RunMessages(int handled, bool handledUserMessage)
    {
        try
        {
            while (handled < Host.TurnMessageLimit && _mailbox.TryDequeue(out var envelope))
            {
                handled++;
                handledUserMessage |= envelope.Kind == EnvelopeKind.User;
                if (envelope.Kind == EnvelopeKind.Flush)
                {
                    Volatile.Write(ref _flushPending, 0);
                }

                if (!TryHandle(envelope, out var handling) && !handling.IsCompletedSuccessfully)
                {
                    return AwaitThenRunAsync(handling, handled, handledUserMessage); // it ends the turn
                }
            }
        }
        catch (Exception exception)
        {
            AbandonBatch(exception);
            EndTurn();
            throw;
        }

        // Activity is stamped once per turn, not per Tell: a message still in the mailbox
        // already keeps the actor from passivating, so only handled ones need a time.
        if (handledUserMessage)
        {
            Volatile.Write(ref _lastActivity, Host.Time.GetTimestamp());
        }

        var depth = Host.Metrics.MailboxDepth;
        if (depth.Enabled)
        {
            Host.Metrics.Record(depth, handled);
        }

        if (!TryEndBatch(out var storing) && !storing.IsCompletedSuccessfully)
        {
            return EndTurnAfterAsync(storing);
        }

        EndTurn();
        return default;
    }

    private async ValueTask AwaitThenRunAsync(ValueTask handling, int handled, bool handledUserMessage)
    {
        try
        {
            await handling.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            AbandonBatch(exception);
            EndTurn();
            throw;
        }

        if (Host.IsAbandoned)
        {
            // A handler that outlived the node's shutdown deadline: the rest of the mail fails.
            var stopped = NodeStopped();
            AbandonBatch(stopped);
            FailQueued(stopped);
            EndTurn();
            return;
        }

        await RunMessages(handled, handledUserMessage).ConfigureAwait(false);
    }

    private ObjectDisposedException NodeStopped() =>
        new($"vnode {Host.Partition}", $"The node stopped before this message to {Type.Name} '{KeyText}' was handled.");

    /// <summary>Ends the turn once the batch's state is stored and its messages answered.</summary>
    private async ValueTask EndTurnAfterAsync(ValueTask storing)
    {
        try
        {
            await storing.ConfigureAwait(false);
        }
        finally
        {
            EndTurn();
        }
    }

    /// <summary>
    /// Ends the turn's batch (WriteThrough): stores the state its messages left, once, then answers
    /// them. True when that is done at once (nothing to store); false while the store runs in
    /// <paramref name="pending"/>. Never throws: a failed store fails the batch's messages.
    /// </summary>
    protected abstract bool TryEndBatch(out ValueTask pending);

    /// <summary>A runtime failure cut the turn short: the batch's messages fail with it and its state is not kept.</summary>
    protected abstract void AbandonBatch(Exception exception);

    /// <summary>
    /// Fails a message: an Ask's caller gets <paramref name="exception"/>; a Tell or a timer tick,
    /// which no one waits for, is logged (at most once per type every
    /// <see cref="ActorType.FailureLogInterval"/>, with the count left out). Both are counted on
    /// the meter and passed to the type's failure handler, so no failure goes unseen.
    /// </summary>
    protected void Fail(in Envelope envelope, Exception exception)
    {
        bool asked = envelope.Reply is not null;
        envelope.Fail(exception);
        Host.Metrics.FailedMessage(Type.Name, asked);
        if (!asked && Type.ShouldLogFailure(Host.Time, out long suppressed))
        {
            RingCoreLog.UnobservedFailure(Host.Logger, exception, Type.Name, KeyText, envelope.Message.GetType().Name, suppressed);
        }

        if (Type.FailureHandler is { } handler)
        {
            try
            {
                handler(new ActorMessageFailure(Type.Name, KeyText, envelope.Message, exception, asked));
            }
            catch (Exception handlerFailure)
            {
                RingCoreLog.FailureHandlerFailed(Host.Logger, handlerFailure, Type.Name);
            }
        }
    }

    /// <summary>The state cannot be read (e.g. a corrupt store): fail what is waiting, stay unloaded, and try again on the next message.</summary>
    private void FailWaiting(Exception exception)
    {
        Host.Metrics.Count(Host.Metrics.StoreErrors);
        RingCoreLog.StateReadFailed(Host.Logger, exception, Type.Name, KeyText);
        FailQueued(exception);
    }

    private void FailQueued(Exception exception)
    {
        while (_mailbox.TryDequeue(out var envelope))
        {
            Fail(envelope, exception);
        }
    }

    private async Task CompleteTurnAsync(ValueTask turn)
    {
        try
        {
            await turn.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Handlers' exceptions go to their askers; anything reaching here is a runtime bug:
            // logged, never swallowed, and the actor keeps serving (EndTurn ran on the way out).
            RingCoreLog.TurnFailed(Host.Logger, exception, Type.Name, KeyText);
        }
    }

    /// <summary>
    /// Ends a turn (or a passivation attempt, or a sweep's segment drop, which hold the turn too).
    /// A drained mailbox keeps its segment while the vnode's budget allows (see
    /// <see cref="ActorTable.TryKeepSegment"/>): an actor that gets mail now and then stops renting
    /// and returning a segment per message. Otherwise it detaches it, so an idle actor holds none.
    /// </summary>
    private void EndTurn()
    {
        bool held = _keepsSegment;
        bool taken = false;
        bool mayKeep = !_dropSegment && (held || (taken = Host.TryKeepSegment()));
        _dropSegment = false;
        if (!_mailbox.TryRelease(mayKeep, out bool kept))
        {
            if (taken)
            {
                Host.ReleaseKeptSegment(); // not used: the actor is busy, its segments are in use
            }

            Host.Scheduler.Yield(this); // mail is waiting; keep _scheduled = 1: the next turn is ours
            return;
        }

        Debug.Assert(!kept || held || taken, "A kept segment always holds one unit of the vnode's budget.");
        if (!kept && (held || taken))
        {
            Host.ReleaseKeptSegment();
        }

        _keepsSegment = kept;

        // The exchange is a full fence, so the check below cannot be read before the flag is
        // cleared: a sender that appended in between sees 0 and schedules, or we see its mail.
        Interlocked.Exchange(ref _scheduled, 0);
        if (_mailbox.HasUnreadMail && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            Host.Scheduler.Schedule(this);
        }

        if (Host.IsStopping)
        {
            Host.OnTurnEndedWhileStopping(); // the vnode's shutdown may be waiting for this turn
        }
    }

    /// <summary>
    /// Gives back the segment an idle mailbox kept (the vnode's sweep), so an actor that went
    /// quiet holds no memory beyond its object, key and state. Does nothing while a turn runs.
    /// </summary>
    public void DropKeptSegment()
    {
        if (Volatile.Read(ref _scheduled) == 0 && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            _dropSegment = true;
            EndTurn();
        }
    }

    /// <summary>Whether the idle mailbox holds a segment (for the vnode's sweep; racy by design).</summary>
    public bool KeepsSegment => Volatile.Read(ref _keepsSegment);

    private void StopTimers()
    {
        if (_extras?.Timers is not { } timers)
        {
            return;
        }

        foreach (var timer in timers.Values)
        {
            timer.Dispose();
        }

        timers.Clear();
    }
}

/// <summary>What <see cref="ActorActivation.TryPassivateAsync"/> did.</summary>
internal enum PassivationOutcome
{
    /// <summary>The activation is gone: its state is stored and it left its vnode's table.</summary>
    Passivated,

    /// <summary>It has not been idle for its type's timeout.</summary>
    NotIdle,

    /// <summary>A turn holds it (queued or running, or serving mail that arrived while its state was stored).</summary>
    InTurn,

    /// <summary>Its state could not be stored; it stays, dirty, and the failure was logged.</summary>
    NotStored,
}
