namespace RingCore.Actors;

/// <summary>
/// Settings of a node's actor runtime: its mailboxes and its timers. Every time span here becomes
/// a timer, so each must be positive and at most 49.7 days (the longest a .NET timer waits);
/// <c>RingNodeOptions.Validate</c> and the host's validator refuse others by name.
/// </summary>
public sealed class ActorRuntimeOptions
{
    /// <summary>
    /// The most messages one actor handles in a turn before yielding its thread. Defaults to 64:
    /// high enough to amortize scheduling, low enough that a flooded actor cannot starve others.
    /// </summary>
    public int TurnMessageLimit { get; set; } = 64;

    /// <summary>How long an Ask waits when the caller gives no timeout. Defaults to 30 seconds.</summary>
    public TimeSpan DefaultAskTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often WriteBehind actors store changed state. Defaults to 1 second: at most that much is lost in a crash.</summary>
    public TimeSpan WriteBehindInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often each vnode looks for idle actors to passivate. Defaults to 30 seconds. An actor
    /// passivates between its type's idle timeout and that plus this interval.
    /// </summary>
    public TimeSpan PassivationSweepInterval { get; set; } = TimeSpan.FromSeconds(30);
}
