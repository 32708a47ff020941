namespace RingCore.VNodes;

/// <summary>
/// The actors active on one vnode, as the vnode sees them: something it owns and ends with it.
/// The actor runtime (a layer above, docs/architecture.md) implements it, so a vnode needs to know nothing
/// of mailboxes or activations.
/// </summary>
internal interface IVNodeActorTable
{
    /// <summary>Actors active now.</summary>
    int ActiveActors { get; }

    /// <summary>
    /// Passivates every actor, all at once, storing their state; later messages are refused.
    /// Actors with queued mail drain it first. At <paramref name="deadline"/> it stops waiting and
    /// reports the actors still there; their queued messages fail when their turn ends.
    /// </summary>
    ValueTask<ActorStopOutcome> StopAsync(CancellationToken deadline);

    /// <summary>The ring changed: actors this node should no longer host store their state and passivate now, not at the next sweep.</summary>
    void Rehome();

    /// <summary>Refuses later messages and stops the timers without storing anything (a crash, for the TestKit).</summary>
    void Abandon();
}
