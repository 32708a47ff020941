namespace RingCore.Actors;

/// <summary>
/// Where an activation reads and writes its state: the node's replicated store, through
/// quorum reads and writes (issue 4, replicated
/// actors). The causal context is the store's: an activation hands back what its last read or
/// write returned, so its next write supersedes exactly that.
/// </summary>
internal interface IActorStateStore
{
    /// <summary>The largest serialized state a write accepts, in bytes.</summary>
    int MaxStateBytes { get; }

    /// <summary>The stored versions of an actor's state (more than one: concurrent siblings), and the context to write with next.</summary>
    ValueTask<ActorStateRead> ReadAsync(ActorType type, byte[] key);

    /// <summary>
    /// Stores a state that supersedes what <paramref name="context"/> covers; returns the context
    /// to write with next and the concurrent versions that context also covers (siblings the
    /// store found beside the new state), which the actor must merge or it would overwrite them.
    /// </summary>
    ValueTask<ActorStateWrite> WriteAsync(ActorType type, byte[] key, byte[] state, object? context);

    /// <summary>
    /// After a failed <see cref="WriteAsync"/> of <paramref name="attempted"/>: when the failure
    /// says the write was recorded somewhere anyway (a put that missed W), the context to write
    /// with next, so the actor's next write supersedes its own failed attempt rather than
    /// becoming its sibling, and the concurrent versions that context also covers; else null.
    /// </summary>
    ActorStateWrite? AfterFailedWrite(Exception failure, byte[] attempted);
}

/// <summary>What an actor state write left: the context to write with next, and concurrent versions beside the written one.</summary>
internal readonly record struct ActorStateWrite(object? Context, IReadOnlyList<ReadOnlyMemory<byte>> Concurrent);

/// <summary>What an actor state read found: no version, one, or concurrent siblings.</summary>
internal readonly record struct ActorStateRead(IReadOnlyList<ReadOnlyMemory<byte>> Versions, object? Context);
