using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RingCore.Diagnostics;
using RingCore.Runtime;
using RingCore.VNodes;

namespace RingCore.Actors;

/// <summary>
/// The per-key actors active on one vnode (the vnode owns it; riak_core_vnode's role for
/// processes): it activates actors on their first message, passivates idle ones on a sweep,
/// and prompts WriteBehind actors to store their state on an interval. An activation talks to
/// this table, never to the vnode.
/// </summary>
internal sealed class ActorTable : IVNodeActorTable
{
    private static readonly object FlushMessage = new();

    private readonly ActivationTable _activations = new();
    private readonly ConcurrentDictionary<ActorActivation, byte> _dirty = new();
    private readonly ITimer _sweepTimer;
    private readonly ITimer _flushTimer;
    private volatile bool _stopping;
    private volatile bool _abandoned;
    private TurnEnd? _turnEnd; // while stopping: completed when the next turn ends (StopAsync waits on it)
    private long _reachabilityView; // as of the last sweep (touched by the sweep timer only)
    private int _keptSegments;

    /// <summary>
    /// How many idle actors of a vnode may keep their mailbox segment between messages: 32, so an
    /// actor that gets mail now and then does not rent and return a segment per message, while a
    /// million idle actors still hold at most 32 segments a vnode (about 30 KiB). The sweep gives
    /// them back.
    /// </summary>
    public const int KeptSegmentLimit = 32;

    public ActorTable(int partition, IActorStateStore stateStore, IActorDispatcher node, IWorkScheduler scheduler, TimeProvider time,
        ActorRuntimeOptions options, RingCoreMetrics metrics, ILogger logger)
    {
        Partition = partition;
        StateStore = stateStore;
        Node = node;
        Scheduler = scheduler;
        Time = time;
        Metrics = metrics;
        Logger = logger;
        TurnMessageLimit = options.TurnMessageLimit;
        _reachabilityView = node.ViewEpoch();
        _sweepTimer = time.CreateTimer(static state => ((ActorTable)state!).Sweep(), this, options.PassivationSweepInterval, options.PassivationSweepInterval);
        _flushTimer = time.CreateTimer(static state => ((ActorTable)state!).PromptFlushes(), this, options.WriteBehindInterval, options.WriteBehindInterval);
    }

    public int Partition { get; }

    /// <summary>Where this vnode's actors keep their state: the replicated store, with the quorums of the bucket named after the actor type.</summary>
    public IActorStateStore StateStore { get; }

    public IActorDispatcher Node { get; }

    public IWorkScheduler Scheduler { get; }

    public RingCoreMetrics Metrics { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public int TurnMessageLimit { get; }

    public int ActiveActors => _activations.Count;

    /// <summary>Whether the vnode is stopping (messages are refused, and every end of a turn is reported to <see cref="OnTurnEndedWhileStopping"/>).</summary>
    public bool IsStopping => _stopping;

    /// <summary>How long shutdown waits, on the node's clock, before it tries again to store an actor's state that could not be stored.</summary>
    private static TimeSpan RetryDelay => TimeSpan.FromMilliseconds(10);

    /// <summary>Delivers to the actor's activation, activating it if needed; returns the activation that took the message.</summary>
    public ActorActivation Deliver(ActorType type, byte[] key, ulong position, in Envelope envelope)
    {
        while (true)
        {
            if (_stopping)
            {
                throw new ObjectDisposedException($"vnode {Partition}", "The node is stopping; no new messages are accepted.");
            }

            var activation = _activations.Find(type, key, position) ?? _activations.GetOrAdd(type, key, position, this);
            if (activation.TryEnqueue(envelope))
            {
                return activation;
            }

            // The actor is passivating: it stored its state before closing its mailbox, so it
            // leaves the table within nanoseconds; then deliver again, to a fresh activation that
            // loads that state.
            var spin = new SpinWait();
            while (!activation.IsGone)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    public void MarkDirty(ActorActivation activation) => _dirty.TryAdd(activation, 0);

    /// <summary>Takes one unit of the kept-segment budget; false when the vnode's idle actors already keep <see cref="KeptSegmentLimit"/>.</summary>
    public bool TryKeepSegment()
    {
        if (Interlocked.Increment(ref _keptSegments) <= KeptSegmentLimit)
        {
            return true;
        }

        Interlocked.Decrement(ref _keptSegments);
        return false;
    }

    /// <summary>Returns one unit of the kept-segment budget.</summary>
    public void ReleaseKeptSegment()
    {
        int left = Interlocked.Decrement(ref _keptSegments);
        Debug.Assert(left >= 0, "Every release matches a take.");
    }

    public void Remove(ActorActivation activation)
    {
        _activations.Remove(activation);
        _dirty.TryRemove(activation, out _);
    }

    /// <summary>
    /// Passivates every actor, all at once, storing WriteBehind state; later messages are refused.
    /// An actor with queued mail drains it first (its turns go on), then passivates. At
    /// <paramref name="deadline"/> it stops waiting and reports the actors still there: stuck in a
    /// handler, still draining, or unable to store their state; the messages still queued for
    /// them fail when their turn ends (<see cref="IsAbandoned"/>), so no caller waits for a node
    /// that is gone, and nothing that was acknowledged is lost.
    /// </summary>
    /// <remarks>
    /// An actor in a turn is passivated once the turn ends: shutdown waits for the end of a turn
    /// itself, not for time to pass on the node's clock. The turn runs on the scheduler, whatever
    /// the clock does, and a virtual clock that a test moves by hand stands still while the test
    /// disposes the node: waiting on it hung the dispose of a node whose last Ask had been
    /// answered but whose turn had not ended yet. Only a state that could not be stored is tried
    /// again after <see cref="RetryDelay"/> on the node's clock. The deadline is the caller's, on
    /// the wall clock (an operator's, or a host's stop timeout).
    /// </remarks>
    public async ValueTask<ActorStopOutcome> StopAsync(CancellationToken deadline)
    {
        _stopping = true;
        await _sweepTimer.DisposeAsync().ConfigureAwait(false);
        await _flushTimer.DisposeAsync().ConfigureAwait(false);
        var activations = _activations.Snapshot().ToList();
        var passivations = new Task<Exception?>[activations.Count];
        for (int i = 0; i < passivations.Length; i++)
        {
            passivations[i] = PassivateAtShutdownAsync(activations[i], deadline);
        }

        List<string>? unfinished = null;
        List<Exception>? errors = null;
        for (int i = 0; i < passivations.Length; i++)
        {
            if (await passivations[i].ConfigureAwait(false) is { } error)
            {
                (unfinished ??= []).Add($"{activations[i].Type.Name} '{activations[i].KeyText}'");
                (errors ??= []).Add(error);
            }
        }

        if (unfinished is null)
        {
            return ActorStopOutcome.Done;
        }

        _abandoned = true; // mail still queued for the actors left fails at their next turn
        return new ActorStopOutcome(unfinished, errors!);
    }

    /// <summary>Whether the vnode stopped with actors left: their turns fail the messages still queued instead of handling them.</summary>
    public bool IsAbandoned => _abandoned;

    /// <summary>An activation ended a turn while the vnode stops: wakes <see cref="StopAsync"/> if it waits for one (from the scheduler, like a reply).</summary>
    public void OnTurnEndedWhileStopping()
    {
        if (Volatile.Read(ref _turnEnd) is not null && Interlocked.Exchange(ref _turnEnd, null) is { } turnEnd)
        {
            Scheduler.Schedule(turnEnd);
        }
    }

    /// <summary>Stops accepting messages and stops the timers without storing anything (a crash, for the TestKit); the actors die unsaved.</summary>
    public void Abandon()
    {
        _stopping = true;
        _sweepTimer.Dispose();
        _flushTimer.Dispose();
        foreach (var activation in _activations.Snapshot())
        {
            Node.ObserveActivation(activation, active: false);
        }
    }

    /// <summary>
    /// Passivates <paramref name="activation"/> for shutdown: at once when it is idle; when a turn
    /// holds it, again as soon as a turn ends; when its state could not be stored, again after
    /// <see cref="RetryDelay"/>. Null when it is passivated; else, at the deadline, why not.
    /// </summary>
    private async Task<Exception?> PassivateAtShutdownAsync(ActorActivation activation, CancellationToken deadline)
    {
        Task? stopped = null; // made only for an actor that does not passivate at once: a million idle ones cost no timer each
        var outcome = PassivationOutcome.InTurn;
        while (!deadline.IsCancellationRequested)
        {
            var turnEnded = NextTurnEnd(); // before trying, so a turn that ends meanwhile is not missed
            outcome = await activation.TryPassivateAsync(force: true).ConfigureAwait(false);
            if (outcome == PassivationOutcome.Passivated)
            {
                return null;
            }

            var wait = outcome == PassivationOutcome.InTurn ? turnEnded : Task.Delay(RetryDelay, Time, deadline);
            await Task.WhenAny(wait, stopped ??= Task.Delay(Timeout.Infinite, deadline)).ConfigureAwait(false);
        }

        return new TimeoutException(outcome == PassivationOutcome.NotStored
            ? $"{activation.Type.Name} '{activation.KeyText}': its state could not be stored before the shutdown deadline (see the log for each attempt)."
            : $"{activation.Type.Name} '{activation.KeyText}' was still in a turn at the shutdown deadline (a handler that does not finish, or more queued mail than the deadline allowed).");
    }

    /// <summary>Completes when a turn of this vnode's actors ends after this call.</summary>
    private Task NextTurnEnd()
    {
        var fresh = new TurnEnd();
        return (Interlocked.CompareExchange(ref _turnEnd, fresh, null) ?? fresh).Task;
    }

    /// <inheritdoc />
    public void Rehome() => Sweep();

    private void Sweep()
    {
        long view = Node.ViewEpoch();
        bool viewChanged = view != _reachabilityView;
        _reachabilityView = view;
        foreach (var activation in _activations.Snapshot())
        {
            // An actor this node should no longer host (its primary is back) leaves now, so the
            // next message activates it on its host instead of two activations living on.
            bool moved;
            try
            {
                moved = !Node.ShouldHost(activation.Type, Partition)
                    || (viewChanged && activation.Type.Placement == ActorPlacement.Available);
            }
            catch (Exception exception)
            {
                RingCoreLog.HostCheckFailed(Logger, exception, activation.Type.Name, Partition);
                moved = false; // the host cannot be told now; the next sweep asks again
            }

            if (!moved && activation.KeepsSegment)
            {
                activation.DropKeptSegment(); // quiet since the last sweep, or not: it rents again if mail comes
            }

            _ = PassivateIfIdle(activation, force: moved);
        }
    }

    private async Task PassivateIfIdle(ActorActivation activation, bool force)
    {
        try
        {
            await activation.TryPassivateAsync(force).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // TryPassivateAsync reports a failed store by its outcome (and logs it); anything
            // else is a runtime bug, logged here so the timer thread survives it.
            RingCoreLog.PassivationFailed(Logger, exception, activation.Type.Name, activation.KeyText);
        }
    }

    private void PromptFlushes()
    {
        foreach (var activation in _dirty.Keys)
        {
            if (activation.IsDirty)
            {
                activation.RequestFlush(FlushMessage);
            }
        }
    }

    /// <summary>
    /// The end of a turn that shutdown waits for, completed from a work item on the node's
    /// scheduler: not inside the activation's end of turn, and in a simulation in its one order.
    /// </summary>
    private sealed class TurnEnd : TaskCompletionSource<bool>, IThreadPoolWorkItem
    {
        void IThreadPoolWorkItem.Execute() => TrySetResult(true);
    }
}
