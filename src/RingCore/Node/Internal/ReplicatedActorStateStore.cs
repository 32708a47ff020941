using RingCore.Actors;
using RingCore.Causality;
using RingCore.Replication;

namespace RingCore.Node;

/// <summary>
/// Actor state in the replicated store (issue 4, replicated actors): an activation reads its
/// state with a quorum get (R replicas, siblings and all) and stores it with a quorum put (W
/// acknowledgements before a WriteThrough reply), chaining the causal context from one write to
/// the next so that an actor's own writes supersede each other and only writes made elsewhere,
/// concurrently, become siblings. On a node that runs alone the quorums are one replica, on
/// the same path.
/// </summary>
/// <remarks>
/// An actor type's state lives in the bucket of the same name, keyed by the actor's key, so it
/// lands on the same partition and preference list as the actor itself (both hash with the name
/// as namespace: Hashing/KeyPosition), in the one store-key format of every replicated object.
/// The bucket's properties (N, R, W, PR, PW) are the actor type's quorums; <see cref="RingNode.GetAsync(string, string, QuorumOptions?)"/>
/// on that bucket reads an actor's state from outside.
/// </remarks>
internal sealed class ReplicatedActorStateStore(ReplicationService replicas) : IActorStateStore
{
    // An activation must not start from less than R replicas could tell it: with not-found
    // replies counted, a fallback that holds nothing and one stale primary would make a quorum
    // and hide a write the other primary acknowledged (Dynamo's sloppy quorum after a crash).
    private static readonly QuorumOptions ActivationRead = new() { NotFoundOk = false };

    public int MaxStateBytes => ReplicationService.MaxValueBytes;

    public async ValueTask<ActorStateRead> ReadAsync(ActorType type, byte[] key)
    {
        var read = await replicas.GetAsync(type.Name, key, ActivationRead).ConfigureAwait(false);
        var versions = new ReadOnlyMemory<byte>[read.Values.Length];
        for (int i = 0; i < versions.Length; i++)
        {
            versions[i] = read.Values[i];
        }

        return new ActorStateRead(versions, read.Context);
    }

    // With return_body: the context of a put covers every sibling the coordinating replica holds,
    // so the activation gets them to merge instead of superseding values it never saw (two
    // activations on the two sides of a healed partition).
    public async ValueTask<ActorStateWrite> WriteAsync(ActorType type, byte[] key, byte[] state, object? context)
    {
        var body = await replicas.PutWithBodyAsync(type.Name, key, state, context is CausalContext known ? known : CausalContext.Empty, null)
            .ConfigureAwait(false);
        return new ActorStateWrite(body.Context, Others(body, state));
    }

    public ActorStateWrite? AfterFailedWrite(Exception failure, byte[] attempted) =>
        failure is QuorumException { PartialWrite: { } recorded } ? new ActorStateWrite(recorded.Context, Others(recorded, attempted)) : null;

    /// <summary>The values of a put's result other than the one it wrote: versions written concurrently elsewhere.</summary>
    private static List<ReadOnlyMemory<byte>> Others(GetResult body, byte[] written)
    {
        var concurrent = new List<ReadOnlyMemory<byte>>(body.Values.Length);
        bool ownSeen = false;
        foreach (var value in body.Values)
        {
            if (!ownSeen && value.Span.SequenceEqual(written))
            {
                ownSeen = true;
                continue;
            }

            concurrent.Add(value);
        }

        return concurrent;
    }
}
