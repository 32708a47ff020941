using System.Runtime.CompilerServices;

namespace RingCore.Actors;

/// <summary>The state-typed half of an activation: loading, handling and storing <typeparamref name="TState"/>.</summary>
internal sealed class ActorActivation<TState> : ActorActivation
{
    private TState _state = default!;
    private object? _context; // the state store's causal context of the last read or write
    private bool _loaded;
    private bool _dirty;

    public ActorActivation(ActorTable host, ActorType<TState> type, byte[] key, ulong position)
        : base(host, type, key, position)
    {
    }

    public override bool IsDirty => Volatile.Read(ref _dirty);

    // The constructor takes only an ActorType<TState>; not keeping a second, typed reference
    // saves 8 bytes per idle actor.
    private ActorType<TState> TypedType => Unsafe.As<ActorType<TState>>(Type);

    protected override ValueTask EnsureLoadedAsync() => _loaded ? default : LoadAsync();

    private async ValueTask LoadAsync()
    {
        var type = TypedType;
        TState state;
        if (type.Durability == ActorDurability.Ephemeral)
        {
            state = type.InitialState(new ActorContext(this));
        }
        else
        {
            // A quorum read (R replicas; one on a node that runs alone).
            var read = await Host.StateStore.ReadAsync(type, Key).ConfigureAwait(false);
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
        Host.Metrics.Count(Host.Metrics.Activations);
        Host.Node.ObserveActivation(this, active: true);
    }

    /// <remarks>
    /// The hot path stays synchronous (STYLE.md, after System.Threading.Channels): a handler that
    /// completes at once and a state that needs no store cost no async state machine; awaiting the
    /// handler or a WriteThrough store happens in the async slow paths below.
    /// </remarks>
    protected override bool TryHandle(in Envelope envelope, out ValueTask pending)
    {
        pending = default;
        if (envelope.Kind == EnvelopeKind.Flush)
        {
            pending = FlushAsync();
            return false;
        }

        var type = TypedType;
        if (!type.TryGetHandler(envelope.Message.GetType(), out var handler))
        {
            envelope.Fail(new ArgumentException($"Actor type '{type.Name}' has no handler for {envelope.Message.GetType().Name}."));
            return true;
        }

        ValueTask<ActorStep<TState>> handling;
        try
        {
            handling = handler(_state, envelope.Message, new ActorContext(this));
        }
        catch (Exception exception)
        {
            // The state change of a failed message is discarded: _state was never replaced.
            envelope.Fail(exception);
            return true;
        }

        if (handling.IsCompletedSuccessfully)
        {
            return TryApply(handling.Result, envelope, out pending);
        }

        pending = AwaitHandlerAsync(handling, envelope);
        return false;
    }

    private async ValueTask AwaitHandlerAsync(ValueTask<ActorStep<TState>> handling, Envelope envelope)
    {
        ActorStep<TState> step;
        try
        {
            step = await handling.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            envelope.Fail(exception); // discarded, as above
            return;
        }

        if (!TryApply(step, envelope, out var storing))
        {
            await storing.ConfigureAwait(false);
        }
    }

    // True when the step is applied at once; false while a WriteThrough store runs in pending.
    private bool TryApply(in ActorStep<TState> step, in Envelope envelope, out ValueTask pending)
    {
        pending = default;
        if (!EqualityComparer<TState>.Default.Equals(step.State, _state))
        {
            switch (TypedType.Durability)
            {
                case ActorDurability.WriteThrough:
                    pending = StoreThenReplyAsync(step, envelope);
                    return false;
                case ActorDurability.WriteBehind:
                    MarkDirtyOnce();
                    break;
            }

            _state = step.State;
        }

        envelope.Complete(step.Reply);
        return true;
    }

    private async ValueTask StoreThenReplyAsync(ActorStep<TState> step, Envelope envelope)
    {
        var outcome = await StoreAsync(step.State, keep: _state).ConfigureAwait(false);
        _state = outcome.State;
        if (outcome.Error is { } error)
        {
            // Not stored, so not acknowledged: the change is discarded, like a throwing handler's.
            envelope.Fail(error);
            return;
        }

        envelope.Complete(step.Reply);
    }

    protected override async ValueTask FlushAsync()
    {
        if (!_dirty)
        {
            return;
        }

        Volatile.Write(ref _dirty, false); // before storing: a merge that cannot be stored marks it again
        var outcome = await StoreAsync(_state, keep: _state).ConfigureAwait(false);
        _state = outcome.State;
        if (outcome.Error is { } error)
        {
            Volatile.Write(ref _dirty, true);
            throw error;
        }
    }

    /// <summary>
    /// Stores <paramref name="state"/> with the context of the last read or write, so it
    /// supersedes exactly what this activation saw. Never throws: the outcome holds the state to
    /// keep (the stored one, merged with any concurrent versions the write found beside it; or,
    /// when the write failed, <paramref name="keep"/>, merged the same way) and the error.
    /// </summary>
    private async ValueTask<StoreOutcome> StoreAsync(TState state, TState keep)
    {
        var bytes = TypedType.Serializer.Serialize(state);
        ActorStateWrite written;
        try
        {
            written = await Host.StateStore.WriteAsync(Type, Key, bytes, _context).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            // A put that missed W may still have been recorded by its coordinating replica: the
            // next write must supersede that attempt (its context says so), and whatever else
            // that context covers must be merged in now, or the next write would drop it unseen.
            if (Host.StateStore.AfterFailedWrite(failure, bytes) is { } recorded)
            {
                _context = recorded.Context;
                keep = FoldIn(keep, recorded.Concurrent);
            }

            return new StoreOutcome(keep, failure);
        }

        _context = written.Context;
        if (written.Concurrent.Count == 0)
        {
            return new StoreOutcome(state, null);
        }

        // The context now covers versions written elsewhere (the other side of a healed
        // partition): fold them in and store the merge, so they are neither lost nor left as siblings.
        var merged = FoldIn(state, written.Concurrent);
        if (!_loaded)
        {
            return new StoreOutcome(state, null); // no Merge: the next message reloads and meets the siblings
        }

        var second = await StoreAsync(merged, keep: merged).ConfigureAwait(false);
        if (second.Error is not null && TypedType.Durability == ActorDurability.WriteBehind)
        {
            MarkDirtyOnce(); // the merge holds in memory and reaches the replicas with the next flush
        }

        return new StoreOutcome(second.State, null); // the first write was acknowledged
    }

    /// <summary>
    /// <paramref name="state"/> merged with <paramref name="concurrent"/> versions by the type's
    /// Merge. A type without one cannot take them in: the activation forgets its state and
    /// context, and its next message reloads and fails with <see cref="ActorSiblingsException"/>.
    /// </summary>
    private TState FoldIn(TState state, IReadOnlyList<ReadOnlyMemory<byte>> concurrent)
    {
        if (concurrent.Count == 0)
        {
            return state;
        }

        if (TypedType.MergeVersions is not { } merge)
        {
            _loaded = false;
            _context = null;
            return state;
        }

        var versions = new TState[concurrent.Count + 1];
        versions[0] = state;
        for (int i = 0; i < concurrent.Count; i++)
        {
            versions[i + 1] = Deserialize(concurrent[i]);
        }

        return merge(versions);
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
        _loaded = true; // FoldIn may clear it (never, with a Merge); EnsureLoadedAsync sets it again
        var outcome = await StoreAsync(merged, keep: merged).ConfigureAwait(false);
        if (outcome.Error is not null && type.Durability == ActorDurability.WriteBehind)
        {
            MarkDirtyOnce();
        }

        return outcome.State;
    }

    private void MarkDirtyOnce()
    {
        if (!_dirty)
        {
            Volatile.Write(ref _dirty, true);
            Host.MarkDirty(this);
        }
    }

    /// <summary>What a store left: the state to keep, and the error when it was not stored.</summary>
    private readonly record struct StoreOutcome(TState State, Exception? Error);
}
