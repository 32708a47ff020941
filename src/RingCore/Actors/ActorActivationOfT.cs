using System.Runtime.CompilerServices;
using RingCore.Storage;
using RingCore.VNodes;

namespace RingCore.Actors;

/// <summary>The state-typed half of an activation: loading, handling and storing <typeparamref name="TState"/>.</summary>
internal sealed class ActorActivation<TState> : ActorActivation
{
    private TState _state = default!;
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

    // Made per store operation rather than kept: stores are rare next to idle actors' memory.
    private byte[] StoreKey => Type.StoreKey(Key);

    protected override async ValueTask EnsureLoadedAsync()
    {
        if (_loaded)
        {
            return;
        }

        var type = TypedType;
        TState state;
        var stored = type.Durability == ActorDurability.Ephemeral ? null : await VNode.Store.GetAsync(StoreKey).ConfigureAwait(false);
        if (stored is null)
        {
            state = type.InitialState(new ActorContext(this));
        }
        else
        {
            try
            {
                state = type.Serializer.Deserialize(stored.Value.Span);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                throw new InvalidDataException(
                    $"The stored state of {type.Name} '{KeyText}' could not be read as {typeof(TState).Name}: {exception.Message}", exception);
            }
        }

        _state = state;
        _loaded = true;
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
        if (changed)
        {
            switch (type.Durability)
            {
                case ActorDurability.WriteThrough:
                    try
                    {
                        await StoreAsync(step.State).ConfigureAwait(false);
                    }
                    catch (Exception exception)
                    {
                        // Not stored, so not acknowledged: keep the old state, like a throwing handler.
                        envelope.Fail(exception);
                        return;
                    }

                    break;
                case ActorDurability.WriteBehind:
                    if (!_dirty)
                    {
                        Volatile.Write(ref _dirty, true);
                        VNode.MarkDirty(this);
                    }

                    break;
            }

            _state = step.State;
        }

        envelope.Complete(step.Reply);
    }

    protected override async ValueTask FlushAsync()
    {
        if (!_dirty)
        {
            return;
        }

        await StoreAsync(_state).ConfigureAwait(false);
        Volatile.Write(ref _dirty, false);
    }

    private ValueTask StoreAsync(TState state) =>
        VNode.Store.PutAsync(StoreKey, new StoredObject(TypedType.Serializer.Serialize(state)));
}
