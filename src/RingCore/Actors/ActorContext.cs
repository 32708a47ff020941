using System.Text;

namespace RingCore.Actors;

/// <summary>
/// What a handler may use besides its state and message: the actor's key, a reference to
/// itself, the clock, and timers whose ticks arrive through its own mailbox.
/// </summary>
public sealed class ActorContext
{
    private readonly ActorActivation _activation;
    private string? _keyText;

    internal ActorContext(ActorActivation activation) => _activation = activation;

    /// <summary>The actor's key as bytes.</summary>
    public ReadOnlyMemory<byte> Key => _activation.Id.Key;

    /// <summary>The actor's key as UTF-8 text (decoded once, on first use).</summary>
    public string KeyText => _keyText ??= Encoding.UTF8.GetString(_activation.Id.Key);

    /// <summary>The actor's type name.</summary>
    public string TypeName => _activation.Type.Name;

    /// <summary>A reference to this actor, e.g. to hand to others so they can reply with a Tell.</summary>
    public ActorRef Self => new(_activation.VNode.Node, _activation.Type, _activation.Id.Key, _activation.Id.Position);

    /// <summary>The node's clock; tests replace it with fake time.</summary>
    public TimeProvider Time => _activation.VNode.Time;

    /// <summary>
    /// Starts (or replaces) the timer <paramref name="name"/>: after <paramref name="dueTime"/> and
    /// then every <paramref name="period"/> (<see cref="Timeout.InfiniteTimeSpan"/> for once),
    /// <paramref name="message"/> is delivered through the mailbox like any other message, so it
    /// never runs concurrently with a handler. Ticks do not count as activity: an actor with only
    /// timers still passivates when idle, and its timers stop then.
    /// </summary>
    public void RegisterTimer(string name, TimeSpan dueTime, TimeSpan period, object message) =>
        _activation.RegisterTimer(name, dueTime, period, message);

    /// <summary>Stops the timer <paramref name="name"/>; true when it existed.</summary>
    public bool CancelTimer(string name) => _activation.CancelTimer(name);
}
