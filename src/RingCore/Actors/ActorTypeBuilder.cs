using System.Runtime.CompilerServices;

namespace RingCore.Actors;

/// <summary>
/// Defines an actor type: its initial state, its handlers, durability and passivation. Handlers
/// are functions from (state, message) to a new state (and a reply for asks): the runtime keeps
/// the old state when a handler throws, so treat state as immutable (records suit it well).
/// </summary>
/// <typeparam name="TState">The actor's state type.</typeparam>
public sealed class ActorTypeBuilder<TState>
{
    private readonly Dictionary<Type, ActorHandler<TState>> _handlers = [];
    private readonly Dictionary<Type, Type?> _replyTypes = [];
    private Func<ActorContext, TState>? _initialState;
    private Func<IReadOnlyList<TState>, TState>? _merge;
    private IMessageSerializer _messageSerializer = JsonMessageSerializer.Default;
    private ActorPlacement _placement = ActorPlacement.Available;
    private IStateSerializer<TState> _serializer = new JsonStateSerializer<TState>();
    private ActorDurability _durability = ActorDurability.WriteThrough;
    private TimeSpan _idleTimeout = TimeSpan.FromMinutes(5);
    private Action<ActorMessageFailure>? _onFailure;

    internal ActorTypeBuilder(string name) => Name = name;

    /// <summary>The type's name, which also scopes its keys: ("cart", "42") and ("lobby", "42") are different actors.</summary>
    public string Name { get; }

    /// <summary>The state of an actor that has nothing stored yet. Required.</summary>
    public ActorTypeBuilder<TState> InitialState(Func<ActorContext, TState> factory)
    {
        _initialState = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>Handles <typeparamref name="TMessage"/> sent with Tell (an Ask gets no value back).</summary>
    public ActorTypeBuilder<TState> On<TMessage>(Func<TState, TMessage, ActorContext, TState> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add<TMessage>(null, (state, message, context) =>
            new ValueTask<ActorStep<TState>>(new ActorStep<TState>(handler(state, Dispatched<TMessage>(message), context), null)));
    }

    /// <summary>Handles <typeparamref name="TMessage"/> and replies with a <typeparamref name="TReply"/> (for Ask).</summary>
    public ActorTypeBuilder<TState> On<TMessage, TReply>(Func<TState, TMessage, ActorContext, (TState State, TReply Reply)> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add<TMessage>(typeof(TReply), (state, message, context) =>
        {
            var (next, reply) = handler(state, Dispatched<TMessage>(message), context);
            return new ValueTask<ActorStep<TState>>(new ActorStep<TState>(next, reply));
        });
    }

    /// <summary>Handles <typeparamref name="TMessage"/> asynchronously; the mailbox waits for it before the next message.</summary>
    public ActorTypeBuilder<TState> OnAsync<TMessage, TReply>(Func<TState, TMessage, ActorContext, ValueTask<(TState State, TReply Reply)>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add<TMessage>(typeof(TReply), async (state, message, context) =>
        {
            var (next, reply) = await handler(state, Dispatched<TMessage>(message), context).ConfigureAwait(false);
            return new ActorStep<TState>(next, reply);
        });
    }

    /// <summary>When state is stored. Defaults to <see cref="ActorDurability.WriteThrough"/>.</summary>
    public ActorTypeBuilder<TState> WithDurability(ActorDurability durability)
    {
        if (!Enum.IsDefined(durability))
        {
            throw new ArgumentOutOfRangeException(nameof(durability), durability,
                $"Actor type '{Name}': durability must be WriteThrough, WriteBehind or Ephemeral.");
        }

        _durability = durability;
        return this;
    }

    /// <summary>
    /// How long an actor may receive no message before it is passivated: positive (<see cref="TimeSpan.MaxValue"/>
    /// never passivates). Defaults to 5 minutes.
    /// </summary>
    public ActorTypeBuilder<TState> PassivateAfter(TimeSpan idleTimeout)
    {
        if (idleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idleTimeout, $"Actor type '{Name}': the idle timeout must be positive.");
        }

        _idleTimeout = idleTimeout;
        return this;
    }

    /// <summary>
    /// Resolves concurrent versions of the state (siblings), found when an activation reads state
    /// written on two sides of a partition. The function must be deterministic and should keep
    /// what every version holds (a union of items, the sum of per-side increments), since it
    /// decides what survives. Without it, an activation that finds siblings fails with
    /// <see cref="ActorSiblingsException"/>; the runtime never picks one silently.
    /// </summary>
    public ActorTypeBuilder<TState> Merge(Func<IReadOnlyList<TState>, TState> merge)
    {
        _merge = merge ?? throw new ArgumentNullException(nameof(merge));
        return this;
    }

    /// <summary>Where the actor may be activated in a cluster. Defaults to <see cref="ActorPlacement.Available"/>.</summary>
    public ActorTypeBuilder<TState> WithPlacement(ActorPlacement placement)
    {
        if (!Enum.IsDefined(placement))
        {
            throw new ArgumentOutOfRangeException(nameof(placement), placement, "Placement must be Available or Strict.");
        }

        _placement = placement;
        return this;
    }

    /// <summary>How messages and replies become bytes when they cross to another node. Defaults to <see cref="JsonMessageSerializer"/>.</summary>
    public ActorTypeBuilder<TState> WithMessageSerializer(IMessageSerializer serializer)
    {
        _messageSerializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        return this;
    }

    /// <summary>How state becomes bytes. Defaults to <see cref="JsonStateSerializer{TState}"/>.</summary>
    public ActorTypeBuilder<TState> WithSerializer(IStateSerializer<TState> serializer)
    {
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        return this;
    }

    /// <summary>
    /// Called with every message of this type that fails: its handler threw, returned a null
    /// state, or the state it left could not be serialized or stored. An Ask's caller gets the
    /// exception as well; a Tell or a timer tick has no one else to tell, so this is where an
    /// application sees those (they are also counted on the <c>ringcore.actor.failed_messages</c>
    /// counter and logged, at most once per type every 10 seconds).
    /// </summary>
    /// <remarks>It runs on the actor's turn, so keep it short and do not block; an exception it throws is logged and ignored.</remarks>
    public ActorTypeBuilder<TState> OnFailure(Action<ActorMessageFailure> handler)
    {
        _onFailure = handler ?? throw new ArgumentNullException(nameof(handler));
        return this;
    }

    internal ActorType Build(int index)
    {
        if (_initialState is null)
        {
            throw new InvalidOperationException($"Actor type '{Name}' needs an InitialState.");
        }

        if (_handlers.Count == 0)
        {
            throw new InvalidOperationException($"Actor type '{Name}' handles no message; add at least one On handler.");
        }

        if (_serializer is JsonStateSerializer<TState> json)
        {
            JsonStateShape.Require(typeof(TState), json.Options, Name);
        }

        return new ActorType<TState>(Name, index, _initialState, new Dictionary<Type, ActorHandler<TState>>(_handlers),
            _serializer, _durability, _idleTimeout)
        {
            MergeVersions = _merge,
            FailureHandler = _onFailure,
            Placement = _placement,
            MessageSerializer = _messageSerializer,
            ReplyTypes = new Dictionary<Type, Type?>(_replyTypes),
        };
    }

    // A handler runs only for messages whose runtime type is exactly TMessage (the dispatch
    // matches the type itself, see ActorType.TryGetHandler), so a reference-type message needs no
    // checked cast. The check would cost a generic-dictionary lookup per message, since handlers
    // for reference-type messages share one compiled body.
    private static TMessage Dispatched<TMessage>(object message) =>
        typeof(TMessage).IsValueType ? (TMessage)message : Unsafe.As<object, TMessage>(ref message);

    private ActorTypeBuilder<TState> Add<TMessage>(Type? replyType, ActorHandler<TState> handler)
    {
        if (!_handlers.TryAdd(typeof(TMessage), handler))
        {
            throw new InvalidOperationException($"Actor type '{Name}' already handles {typeof(TMessage).Name}.");
        }

        _replyTypes[typeof(TMessage)] = replyType;
        return this;
    }
}
