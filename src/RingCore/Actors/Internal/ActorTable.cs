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

    /// <summary>Passivates every actor, storing WriteBehind state; later messages are refused.</summary>
    public async ValueTask StopAsync()
    {
        _stopping = true;
        await _sweepTimer.DisposeAsync().ConfigureAwait(false);
        await _flushTimer.DisposeAsync().ConfigureAwait(false);
        var failures = new List<Exception>();
        foreach (var activation in _activations.Snapshot())
        {
            for (int attempt = 0; !await activation.TryPassivateAsync(force: true).ConfigureAwait(false); attempt++)
            {
                if (attempt == 500)
                {
                    failures.Add(new InvalidOperationException($"{activation.Type.Name} '{activation.KeyText}' could not be passivated at shutdown."));
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(10), Time).ConfigureAwait(false); // a turn is still running
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"vnode {Partition} stopped with unsaved actors.", failures);
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
            // TryPassivateAsync reports a failed store by returning false (and logs it); anything
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
}
