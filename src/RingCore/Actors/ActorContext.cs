namespace RingCore.Actors;

/// <summary>
/// What a handler may use besides its state and message: the actor's key, a reference to
/// itself, the clock, and timers whose ticks arrive through its own mailbox. A struct over the
/// activation, so handing it to a handler allocates nothing and an idle actor does not keep one.
/// </summary>
public readonly struct ActorContext
{
    private readonly ActorActivation? _activation;

    internal ActorContext(ActorActivation activation) => _activation = activation;

    /// <summary>The actor's key as bytes.</summary>
    public ReadOnlyMemory<byte> Key => Activation.Key;

    /// <summary>The actor's key as UTF-8 text (decoded once, on first use).</summary>
    public string KeyText => Activation.KeyText;

    /// <summary>
    /// This activation's id, unique across the cluster and node restarts. Under
    /// <see cref="ActorPlacement.Available"/> two activations of one actor may run on the two
    /// sides of a partition; state that counts per activation (a G-counter keyed by this id)
    /// merges their concurrent changes without losing either side's.
    /// </summary>
    public string ActivationId => Activation.ActivationId;

    /// <summary>The actor's type name.</summary>
    public string TypeName => Activation.Type.Name;

    /// <summary>A reference to this actor, e.g. to hand to others so they can reply with a Tell.</summary>
    public ActorRef Self
    {
        get
        {
            var activation = Activation;
            return new(activation.Host.Node, new ActorAddress(activation.Type, activation.Key, activation.Position) { Activation = activation });
        }
    }

    /// <summary>The node's clock; tests replace it with fake time.</summary>
    public TimeProvider Time => Activation.Host.Time;

    private ActorActivation Activation =>
        _activation ?? throw new InvalidOperationException("This ActorContext is default; the runtime hands one to each handler.");

    /// <summary>
    /// Starts (or replaces) the timer <paramref name="name"/>: after <paramref name="dueTime"/> and
    /// then every <paramref name="period"/> (<see cref="Timeout.InfiniteTimeSpan"/> for once),
    /// <paramref name="message"/> is delivered through the mailbox like any other message, so it
    /// never runs concurrently with a handler. Ticks do not count as activity: an actor with only
    /// timers still passivates when idle, and its timers stop then.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="dueTime"/> or <paramref name="period"/> is negative (other than an infinite period) or
    /// longer than 49.7 days (the longest a timer waits).
    /// </exception>
    public void RegisterTimer(string name, TimeSpan dueTime, TimeSpan period, object message)
    {
        // Checked before the timer of the same name is replaced, so a bad call leaves it running.
        if (dueTime < TimeSpan.Zero || dueTime > Runtime.TimerLimits.MaxDueTime)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime,
                $"Timer '{name}': the due time must be from 0 to {Runtime.TimerLimits.MaxDueTimeText}.");
        }

        if (period != Timeout.InfiniteTimeSpan && (period < TimeSpan.Zero || period > Runtime.TimerLimits.MaxDueTime))
        {
            throw new ArgumentOutOfRangeException(nameof(period), period,
                $"Timer '{name}': the period must be from 0 to {Runtime.TimerLimits.MaxDueTimeText}, or Timeout.InfiniteTimeSpan (0 and infinite fire once).");
        }

        Activation.RegisterTimer(name, dueTime, period, message);
    }

    /// <summary>Stops the timer <paramref name="name"/>; true when it existed.</summary>
    public bool CancelTimer(string name) => Activation.CancelTimer(name);
}
