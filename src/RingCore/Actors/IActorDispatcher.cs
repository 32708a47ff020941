namespace RingCore.Actors;

/// <summary>Routes a message for (type, key) to the vnode of the key's partition (the node's side of <see cref="ActorRef"/>).</summary>
internal interface IActorDispatcher
{
    TimeSpan DefaultAskTimeout { get; }

    TimeProvider Time { get; }

    void Deliver(ActorType type, byte[] key, ulong position, in Envelope envelope);
}
