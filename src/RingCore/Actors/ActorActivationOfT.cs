using System.Runtime.CompilerServices;
using RingCore.VNodes;

namespace RingCore.Actors;

/// <summary>The state-typed half of an activation: loading, handling and storing <typeparamref name="TState"/>.</summary>
internal sealed class ActorActivation<TState> : ActorActivation
{
    private TState _state = default!;
    private object? _context; // the state store's causal context of the last read or write
    private bool _loaded;
    private bool _dirty;

    public ActorActivation(VNode vnode, ActorType<TState> type, byte[] key, ulong position)
        : base(vnode, type, key, position)
    {
    }

    public override bool IsDirty => Volatile.Read(ref _dirty);

    // The constructor takes only an ActorType<TState>; not keeping a second, typed reference
    // saves 8 bytes per idle actor.
    private ActorType<TState> TypedType => Unsafe.As<ActorType<TState>>(Type);

    protected override async ValueTask EnsureLoadedAsync()
    {
        if (_loaded)
        {
            return;
        }

        var type = TypedType;
        TState state;
        if (type.Durability == ActorDurability.Ephemeral)
        {
            state = type.InitialState(new ActorContext(this));
        }
        else
        {
            // A quorum read in a cluster (R replicas), the vnode's store on one node.
            var read = await VNode.StateStore.ReadAsync(type, Key).ConfigureAwait(false);
            _context = read.Context;
            state = read.Versions.Count switch
            {
                0 => type.InitialState(new ActorContext(this)),
                1 => Deserialize(read.Versions[0]),
                _ => await MergeSiblingsAsync(read.Versions).ConfigureAwait(false),
            };
        }

        _state = state;
        _loaded = true;
        VNode.Node.ObserveActivation(this, active: true);
    }

    protected override async ValueTask HandleAsync(Envelope envelope)
    {
        if (envelope.Kind == EnvelopeKind.Flush)
        {
            await FlushAsync().ConfigureAwait(false);
            return;
        }

        var type = TypedType;
        if (!type.TryGetHandler(envelope.Message.GetType(), out var handler))
        {
            envelope.Fail(new ArgumentException($"Actor type '{type.Name}' has no handler for {envelope.Message.GetType().Name}."));
            return;
        }

        ActorStep<TState> step;
        try
        {
            step = await handler(_state, envelope.Message, new ActorContext(this)).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The state change of a failed message is discarded: _state was never replaced.
            envelope.Fail(exception);
            return;
        }

        bool changed = !EqualityComparer<TState>.Default.Equals(step.State, _state);
        var next = step.State;
        if (changed)
        {
            switch (type.Durability)
            {
                case ActorDurability.WriteThrough:
                    try
                    {
                        next = await StoreAsync(step.State).ConfigureAwait(false);
                    }
                    catch (Exception exception)
                    {
                        // Not stored, so not acknowledged: keep the old state, like a throwing handler.
                        envelope.Fail(exception);
                        return;
                    }

                    break;
                case ActorDurability.WriteBehind:
                    MarkDirtyOnce();
                    break;
            }

            _state = next;
        }

        envelope.Complete(step.Reply);
    }

    protected override async ValueTask FlushAsync()
    {
        if (!_dirty)
        {
            return;
        }

        Volatile.Write(ref _dirty, false); // before storing: a merge that fails to store marks it again
        try
        {
            _state = await StoreAsync(_state).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _dirty, true);
            throw;
        }
    }

    /// <summary>
    /// Stores <paramref name="state"/> with the context of the last read or write, so it
    /// supersedes exactly what this activation saw, and returns the state to keep: the stored
    /// one, or its merge with concurrent versions the write found beside it.
    /// </summary>
    private async ValueTask<TState> StoreAsync(TState state)
    {
        ActorStateWrite written;
        try
        {
            written = await VNode.StateStore.WriteAsync(Type, Key, TypedType.Serializer.Serialize(state), _context).ConfigureAwait(false);
        }
        catch (Exception failure) when (VNode.StateStore.ContextAfterFailedWrite(failure) is { } recorded)
        {
            // The attempt was recorded by a replica though not acknowledged: the next write
            // must supersede it, or it would come back as a sibling of this actor's own writes.
            _context = recorded;
            throw;
        }

        _context = written.Context;
        if (written.Concurrent.Count == 0)
        {
            return state;
        }

        // The context now covers versions written elsewhere (the other side of a healed
        // partition): fold them in now, or the next write would overwrite them unseen.
        var type = TypedType;
        if (type.MergeVersions is not { } merge)
        {
            _loaded = false; // the next message reloads and meets the siblings as an explicit error
            _context = null;
            return state;
        }

        var versions = new TState[written.Concurrent.Count + 1];
        versions[0] = state;
        for (int i = 0; i < written.Concurrent.Count; i++)
        {
            versions[i + 1] = Deserialize(written.Concurrent[i]);
        }

        var merged = merge(versions);
        try
        {
            return await StoreAsync(merged).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The merge holds in memory; it reaches the replicas with the next stored change.
            if (type.Durability == ActorDurability.WriteBehind)
            {
                MarkDirtyOnce();
            }

            return merged;
        }
    }

    private TState Deserialize(ReadOnlyMemory<byte> stored)
    {
        try
        {
            return TypedType.Serializer.Deserialize(stored.Span);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"The stored state of {Type.Name} '{KeyText}' could not be read as {typeof(TState).Name}: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Resolves siblings (writes from two sides of a partition) with the type's Merge and writes
    /// the result back with the read's context, which covers every sibling, so the replicas
    /// collapse to one version. The write-back is best effort: if it misses its quorum, the merged
    /// state still holds, and the actor's next stored change supersedes the siblings instead.
    /// </summary>
    private async ValueTask<TState> MergeSiblingsAsync(IReadOnlyList<ReadOnlyMemory<byte>> versions)
    {
        var type = TypedType;
        if (type.MergeVersions is not { } merge)
        {
            throw new ActorSiblingsException($"{type.Name}/{KeyText}", versions.Count);
        }

        var states = new TState[versions.Count];
        for (int i = 0; i < states.Length; i++)
        {
            states[i] = Deserialize(versions[i]);
        }

        var merged = merge(states);
        try
        {
            merged = await StoreAsync(merged).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (type.Durability == ActorDurability.WriteBehind)
            {
                MarkDirtyOnce();
            }
        }

        return merged;
    }

    private void MarkDirtyOnce()
    {
        if (!_dirty)
        {
            Volatile.Write(ref _dirty, true);
            VNode.MarkDirty(this);
        }
    }
}
