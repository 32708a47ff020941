using RingCore.Storage;
using RingCore.VNodes;

namespace RingCore.Actors;

/// <summary>The state-typed half of an activation: loading, handling and storing <typeparamref name="TState"/>.</summary>
internal sealed class ActorActivation<TState> : ActorActivation
{
    private readonly ActorType<TState> _type;
    private byte[]? _storeKey;
    private TState _state = default!;
    private bool _loaded;
    private bool _dirty;

    public ActorActivation(VNode vnode, ActorType<TState> type, ActorId id)
        : base(vnode, type, id) => _type = type;

    public override bool IsDirty => Volatile.Read(ref _dirty);

    private byte[] StoreKey => _storeKey ??= _type.StoreKey(Id.Key);

    protected override async ValueTask EnsureLoadedAsync()
    {
        if (_loaded)
        {
            return;
        }

        TState state;
        var stored = _type.Durability == ActorDurability.Ephemeral ? null : await VNode.Store.GetAsync(StoreKey).ConfigureAwait(false);
        if (stored is null)
        {
            state = _type.InitialState(Context);
        }
        else
        {
            try
            {
                state = _type.Serializer.Deserialize(stored.Value.Span);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                throw new InvalidDataException(
                    $"The stored state of {_type.Name} '{Context.KeyText}' could not be read as {typeof(TState).Name}: {exception.Message}", exception);
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

        if (!_type.TryGetHandler(envelope.Message.GetType(), out var handler))
        {
            envelope.Reply?.Fail(new ArgumentException($"Actor type '{_type.Name}' has no handler for {envelope.Message.GetType().Name}."));
            return;
        }

        ActorStep<TState> step;
        try
        {
            step = await handler(_state, envelope.Message, Context).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The state change of a failed message is discarded: _state was never replaced.
            envelope.Reply?.Fail(exception);
            return;
        }

        bool changed = !EqualityComparer<TState>.Default.Equals(step.State, _state);
        if (changed)
        {
            switch (_type.Durability)
            {
                case ActorDurability.WriteThrough:
                    try
                    {
                        await StoreAsync(step.State).ConfigureAwait(false);
                    }
                    catch (Exception exception)
                    {
                        // Not stored, so not acknowledged: keep the old state, like a throwing handler.
                        envelope.Reply?.Fail(exception);
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

        envelope.Reply?.Complete(step.Reply);
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
        VNode.Store.PutAsync(StoreKey, new StoredObject(_type.Serializer.Serialize(state)));
}
