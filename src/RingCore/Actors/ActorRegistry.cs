namespace RingCore.Actors;

/// <summary>The actor types a node hosts, defined when the node starts.</summary>
public sealed class ActorRegistry
{
    private readonly Dictionary<string, ActorType> _types = new(StringComparer.Ordinal);

    internal ActorRegistry()
    {
    }

    /// <summary>Defines the actor type <paramref name="name"/> with state <typeparamref name="TState"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, holds a zero character, or is taken.</exception>
    public ActorRegistry Add<TState>(string name, Action<ActorTypeBuilder<TState>> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Actor type name '{name.Replace("\0", "\\0", StringComparison.Ordinal)}' may not contain a zero character.", nameof(name));
        }

        if (_types.ContainsKey(name))
        {
            throw new ArgumentException($"Actor type '{name}' is defined twice.", nameof(name));
        }

        var builder = new ActorTypeBuilder<TState>(name);
        configure(builder);
        _types.Add(name, builder.Build(_types.Count));
        return this;
    }

    internal ActorType? Find(string name) => _types.GetValueOrDefault(name);

    /// <summary>Every defined type, in the order they were added.</summary>
    internal IEnumerable<ActorType> Types => _types.Values;

    internal ActorType Get(string name) =>
        _types.TryGetValue(name, out var type)
            ? type
            : throw new ArgumentException(
                $"No actor type '{name}' is registered (known: {string.Join(", ", _types.Keys)}).", nameof(name));
}
