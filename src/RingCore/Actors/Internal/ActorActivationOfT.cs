using System.Runtime.CompilerServices;
using RingCore.Hashing;

namespace RingCore.Actors;

/// <summary>The state-typed half of an activation: loading, handling and storing <typeparamref name="TState"/>.</summary>
internal sealed class ActorActivation<TState> : ActorActivation
{
    private TState _state = default!;
    private object? _context; // the state store's causal context of the last read or write
    private WriteBatch? _batch; // WriteThrough: the messages of this turn that wait for its one write (turn holder only)
    private ulong _storedHash; // XXH64 of the state bytes last read or written, to see a state changed in place (0: none)
    private bool _loaded;
    private bool _dirty;

    /// <summary>
    /// Whether a handler could change a <typeparamref name="TState"/> in place: any reference type,
    /// or a struct holding one. Only for those does a state equal to the last one cost a
    /// serialization, to compare its bytes with what was stored.
    /// </summary>
    private static readonly bool MayChangeInPlace = typeof(TState) != typeof(string) && RuntimeHelpers.IsReferenceOrContainsReferences<TState>();

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
            switch (read.Versions.Count)
            {
                case 0:
                    state = type.InitialState(new ActorContext(this));
                    _storedHash = MayChangeInPlace ? HashOf(state) : 0;
                    break;
                case 1:
                    state = Deserialize(read.Versions[0]);
                    _storedHash = XxHash64.Hash(read.Versions[0].Span);
                    break;
                default:
                    state = await MergeSiblingsAsync(read.Versions).ConfigureAwait(false);
                    break;
            }
        }

        _state = state;
        _loaded = true;
        Host.Metrics.Count(Host.Metrics.Activations);
        Host.Node.ObserveActivation(this, active: true);
    }

    /// <remarks>
    /// The hot path stays synchronous (docs/architecture.md, rules for contributors, after System.Threading.Channels): a handler that
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
            Fail(envelope, new ArgumentException($"Actor type '{type.Name}' has no handler for {envelope.Message.GetType().Name}."));
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
            Fail(envelope, exception);
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
            Fail(envelope, exception); // discarded, as above
            return;
        }

        TryApply(step, envelope, out _);
    }

    /// <summary>
    /// Applies a handler's step. Ephemeral and WriteBehind answer at once (WriteBehind marks the
    /// state for its next flush). WriteThrough holds the answer in the turn's batch: the batch's
    /// state is written once when the turn ends (<see cref="TryEndBatch"/>), and only then are its
    /// messages answered, so an Ask is never told of a state that was not stored, and an actor
    /// with a queue pays one write per turn, not one per message.
    /// </summary>
    /// <remarks>
    /// A state counts as changed when it is not equal to the current one, or, when it is equal (the
    /// same object, changed in place, or a record whose members were mutated), when its bytes
    /// differ from the ones last stored: a handler that mutates its state and returns it is
    /// stored like one that returns a new state. A null state is refused: it would store as
    /// nothing and fail every later load.
    /// </remarks>
    private bool TryApply(in ActorStep<TState> step, in Envelope envelope, out ValueTask pending)
    {
        pending = default;
        if (step.State is null)
        {
            Fail(envelope, new InvalidOperationException(
                $"The handler of {Type.Name} for {envelope.Message.GetType().Name} returned a null state; the state is kept as it was."));
            return true;
        }

        bool changed = !EqualityComparer<TState>.Default.Equals(step.State, _state);
        switch (TypedType.Durability)
        {
            case ActorDurability.WriteThrough:
                var batch = _batch ??= WriteBatch.Rent(_state);
                batch.Changed |= changed;
                batch.MayHaveChangedInPlace |= !changed && MayChangeInPlace;
                _state = step.State;
                batch.Held.Add(new HeldMessage(envelope, step.Reply));
                return true;
            case ActorDurability.WriteBehind:
                if (changed || MayChangeInPlace)
                {
                    MarkDirtyOnce(); // the flush compares bytes before it writes
                }

                break;
        }

        _state = step.State;
        envelope.Complete(step.Reply);
        return true;
    }

    protected override bool TryEndBatch(out ValueTask pending)
    {
        pending = default;
        if (_batch is not { } batch)
        {
            return true;
        }

        byte[]? bytes = null;
        bool write = batch.Changed;
        if (!write && batch.MayHaveChangedInPlace)
        {
            if (!TrySerialize(_state, out bytes, out var failure))
            {
                _state = batch.Before;
                _loaded = false; // the state may be the object a handler changed in place: read it again
                FinishBatch(batch, failure);
                return true;
            }

            write = XxHash64.Hash(bytes) != _storedHash;
        }

        if (!write)
        {
            FinishBatch(batch, null); // nothing new to store: answer now
            return true;
        }

        pending = StoreBatchAsync(batch, bytes);
        return false;
    }

    private async ValueTask StoreBatchAsync(WriteBatch batch, byte[]? bytes)
    {
        var outcome = await StoreAsync(_state, keep: batch.Before, bytes).ConfigureAwait(false);
        _state = outcome.State;
        if (outcome.Error is not null && batch.MayHaveChangedInPlace)
        {
            // The state before the batch may be the very object a handler changed: read the
            // stored one again on the next message rather than keep what was not stored.
            _loaded = false;
        }

        FinishBatch(batch, outcome.Error);
    }

    protected override void AbandonBatch(Exception exception)
    {
        if (_batch is { } batch)
        {
            _state = batch.Before;
            _loaded &= !batch.MayHaveChangedInPlace;
            FinishBatch(batch, exception);
        }
    }

    /// <summary>Answers the batch's messages, or fails them when its state was not stored (the change is discarded), and returns it to the pool.</summary>
    private void FinishBatch(WriteBatch batch, Exception? error)
    {
        _batch = null;
        foreach (var held in batch.Held)
        {
            if (error is null)
            {
                held.Envelope.Complete(held.Reply);
            }
            else
            {
                Fail(held.Envelope, error);
            }
        }

        batch.Return();
    }

    protected override async ValueTask FlushAsync()
    {
        if (!_dirty)
        {
            return;
        }

        Volatile.Write(ref _dirty, false); // before storing: a merge that cannot be stored marks it again
        if (!TrySerialize(_state, out var bytes, out var serializing))
        {
            Volatile.Write(ref _dirty, true);
            throw serializing;
        }

        if (XxHash64.Hash(bytes) == _storedHash)
        {
            return; // equal to what is stored: a handler returned its state unchanged
        }

        var outcome = await StoreAsync(_state, keep: _state, bytes).ConfigureAwait(false);
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
    private async ValueTask<StoreOutcome> StoreAsync(TState state, TState keep, byte[]? serialized = null)
    {
        if (serialized is not { } bytes && !TrySerialize(state, out bytes, out var serializing))
        {
            return new StoreOutcome(keep, serializing);
        }

        if (bytes.Length > Host.StateStore.MaxStateBytes)
        {
            return new StoreOutcome(keep, new InvalidOperationException(
                $"The state of {Type.Name} '{KeyText}' is {bytes.Length} bytes once serialized, over the limit of {Host.StateStore.MaxStateBytes}; the change is discarded."));
        }

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
        _storedHash = XxHash64.Hash(bytes);
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

    /// <summary>Serializes <paramref name="state"/>; a serializer that throws (a cycle, an unsupported member) fails the write, not the turn.</summary>
    private bool TrySerialize(TState state, out byte[] bytes, out Exception failure)
    {
        try
        {
            bytes = TypedType.Serializer.Serialize(state);
            failure = null!;
            return true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            bytes = null!;
            failure = exception;
            return false;
        }
    }

    /// <summary>The hash of a state's bytes, or 0 when it cannot be serialized (its first store reports why).</summary>
    private ulong HashOf(TState state) => TrySerialize(state, out var bytes, out _) ? XxHash64.Hash(bytes) : 0;

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

    /// <summary>A handled message waiting for its batch's write, with the reply it will get.</summary>
    private readonly record struct HeldMessage(Envelope Envelope, object? Reply);

    /// <summary>
    /// The messages of one WriteThrough turn: the state before them (kept when the write fails),
    /// whether any changed it, and their replies. Pooled: an actor holds one only during a turn.
    /// </summary>
    private sealed class WriteBatch
    {
        private const int PoolLimit = 256;

        public TState Before = default!;
        public bool Changed;
        public bool MayHaveChangedInPlace;
        public readonly List<HeldMessage> Held = [];

        public static WriteBatch Rent(TState before)
        {
            var batch = ThreadCachedPool<WriteBatch>.TryRent() ?? new WriteBatch();
            batch.Before = before;
            return batch;
        }

        public void Return()
        {
            Before = default!;
            Changed = false;
            MayHaveChangedInPlace = false;
            Held.Clear();
            if (Held.Capacity > 1024)
            {
                Held.Capacity = 64; // a turn limit raised for one burst does not pin its list
            }

            ThreadCachedPool<WriteBatch>.Return(this, PoolLimit);
        }
    }
}
