using System.Text;
using RingCore.Hashing;

namespace RingCore.Actors;

/// <summary>A registered actor type, independent of its state type, as routing and vnodes see it.</summary>
internal abstract class ActorType
{
    protected ActorType(string name, int index, ActorDurability durability, TimeSpan idleTimeout)
    {
        Name = name;
        Index = index;
        Durability = durability;
        IdleTimeout = idleTimeout;
        NameBytes = Encoding.UTF8.GetBytes(name);

        // Keys hash with the type's own seed (KeyPosition: the type name is the namespace), so
        // one key under two types lands on unrelated partitions.
        Seed = KeyPosition.SeedOf(NameBytes);
    }

    public string Name { get; }

    public int Index { get; }

    public byte[] NameBytes { get; }

    public ulong Seed { get; }

    public ActorDurability Durability { get; }

    public TimeSpan IdleTimeout { get; }

    public ActorPlacement Placement { get; init; }

    /// <summary>How messages and replies cross to other nodes.</summary>
    public IMessageSerializer MessageSerializer { get; init; } = JsonMessageSerializer.Default;

    /// <summary>Each handled message type and the type of its reply (null: the handler has none).</summary>
    public IReadOnlyDictionary<Type, Type?> ReplyTypes
    {
        get => _replyTypes;
        init
        {
            _replyTypes = value;
            _messageTypesByName = value.Keys.ToDictionary(WireName, StringComparer.Ordinal);
        }
    }

    private readonly IReadOnlyDictionary<Type, Type?> _replyTypes = new Dictionary<Type, Type?>();
    private readonly Dictionary<string, Type> _messageTypesByName = new(StringComparer.Ordinal);

    /// <summary>A message type's name on the wire: its full .NET name, the same on every node that defines the type alike.</summary>
    public static string WireName(Type messageType) => messageType.FullName ?? messageType.Name;

    /// <summary>The handled message type named <paramref name="wireName"/>; null when this type handles none by that name.</summary>
    public Type? MessageTypeNamed(string wireName) => _messageTypesByName.GetValueOrDefault(wireName);

    /// <summary>Called with every message of this type that failed; null when the type registered none.</summary>
    public Action<ActorMessageFailure>? FailureHandler { get; init; }

    /// <summary>How often, at most, a failed Tell of this type is logged: once every 10 seconds, with the failures in between counted.</summary>
    public static TimeSpan FailureLogInterval => TimeSpan.FromSeconds(10);

    private long _lastFailureLog = long.MinValue;
    private long _suppressedFailures;

    /// <summary>
    /// Whether a failed Tell should be logged now (the first one, then one per
    /// <see cref="FailureLogInterval"/>), and how many were not logged since the last that was: a
    /// handler that throws on every message must not flood the log, nor go quiet.
    /// </summary>
    public bool ShouldLogFailure(TimeProvider time, out long suppressed)
    {
        long now = time.GetTimestamp();
        long last = Volatile.Read(ref _lastFailureLog);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < FailureLogInterval
            || Interlocked.CompareExchange(ref _lastFailureLog, now, last) != last)
        {
            Interlocked.Increment(ref _suppressedFailures);
            suppressed = 0;
            return false;
        }

        suppressed = Interlocked.Exchange(ref _suppressedFailures, 0);
        return true;
    }

    public abstract bool Handles(Type messageType);

    public abstract ActorActivation Activate(ActorTable host, byte[] key, ulong position);
}

/// <summary>An actor type with its state type: handlers, initial state and serializer.</summary>
/// <remarks>
/// Handlers sit in a small array searched by reference on the message's <see cref="System.Type"/>:
/// an actor type has a handful, and a linear scan of a few references beats hashing on the
/// Tell path (checked on every send) and the turn path.
/// </remarks>
internal sealed class ActorType<TState>(
    string name,
    int index,
    Func<ActorContext, TState> initialState,
    IReadOnlyDictionary<Type, ActorHandler<TState>> handlers,
    IStateSerializer<TState> serializer,
    ActorDurability durability,
    TimeSpan idleTimeout) : ActorType(name, index, durability, idleTimeout)
{
    private readonly KeyValuePair<Type, ActorHandler<TState>>[] _handlers = [.. handlers];

    public Func<ActorContext, TState> InitialState { get; } = initialState;

    public IStateSerializer<TState> Serializer { get; } = serializer;

    /// <summary>Resolves siblings of the state; null when the type defines no Merge.</summary>
    public Func<IReadOnlyList<TState>, TState>? MergeVersions { get; init; }

    public bool TryGetHandler(Type messageType, out ActorHandler<TState> handler)
    {
        int index = IndexOf(messageType);
        handler = index >= 0 ? _handlers[index].Value : null!;
        return index >= 0;
    }

    public override bool Handles(Type messageType) => IndexOf(messageType) >= 0;

    public override ActorActivation Activate(ActorTable host, byte[] key, ulong position) =>
        new ActorActivation<TState>(host, this, key, position);

    private int IndexOf(Type messageType)
    {
        var handlers = _handlers;
        for (int i = 0; i < handlers.Length; i++)
        {
            if (ReferenceEquals(handlers[i].Key, messageType))
            {
                return i;
            }
        }

        return -1;
    }
}
