namespace RingCore.Actors;

/// <summary>Routes a message for an actor to the vnode of its key's partition (the node's side of <see cref="ActorRef"/>).</summary>
internal interface IActorDispatcher
{
    TimeSpan DefaultAskTimeout { get; }

    TimeProvider Time { get; }

    /// <summary>Delivers <paramref name="envelope"/> by the ring and records the activation that took it in <paramref name="address"/>.</summary>
    void Deliver(ActorAddress address, in Envelope envelope);

    /// <summary>
    /// Whether this node is still where actors of <paramref name="type"/> on <paramref name="partition"/>
    /// should run; a vnode passivates the activations of a partition this node no longer should
    /// host (a primary came back), so the next message activates the actor there.
    /// </summary>
    bool ShouldHost(ActorType type, int partition);

    /// <summary>
    /// The epoch of this node's view of which nodes it can reach (the NodeWatcher's): it moves
    /// whenever that set changes. When it moves between two sweeps of a vnode, the vnode refreshes its <see cref="ActorPlacement.Available"/>
    /// activations: a partition began or healed, so an activation may have missed writes made on
    /// the other side, and the quorum read of its next activation merges them.
    /// </summary>
    long ViewEpoch();

    /// <summary>A new id, unique across the cluster and this node's restarts, for an activation starting now.</summary>
    string NextActivationId();

    /// <summary>Tells a test's observer that <paramref name="activation"/> started (loaded its state) or ended (passivated, or died with its node).</summary>
    void ObserveActivation(ActorActivation activation, bool active);

    /// <summary>
    /// A test's seam into passivation: <paramref name="activation"/> has just closed its mailbox
    /// and has not left its vnode's table yet, the window in which a sender must wait and then
    /// deliver to a fresh activation.
    /// </summary>
    void MailboxClosed(ActorActivation activation);
}
