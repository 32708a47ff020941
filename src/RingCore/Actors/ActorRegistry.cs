using System.Text;
using RingCore.Storage;

namespace RingCore.Actors;

/// <summary>The actor types a node hosts, defined when the node starts.</summary>
public sealed class ActorRegistry
{
    private readonly Dictionary<string, ActorType> _types = new(StringComparer.Ordinal);

    internal ActorRegistry()
    {
    }

    /// <summary>Defines the actor type <paramref name="name"/> with state <typeparamref name="TState"/>.</summary>
    /// <param name="name">The type's name: 1 to 1024 UTF-8 bytes (it names the bucket its state lives in), no zero character.</param>
    /// <param name="configure">Defines the type's state, handlers and settings.</param>
    /// <exception cref="ArgumentException">The name is empty, longer than 1024 UTF-8 bytes, holds a zero character, or is taken.</exception>
    public ActorRegistry Add<TState>(string name, Action<ActorTypeBuilder<TState>> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Actor type name '{name.Replace("\0", "\\0", StringComparison.Ordinal)}' may not contain a zero character.", nameof(name));
        }

        int nameBytes = Encoding.UTF8.GetByteCount(name);
        if (nameBytes > StorageLimits.MaxBucketNameBytes)
        {
            // Its state lives in the bucket of its name, which could never be written.
            throw new ArgumentException(
                $"An actor type name must be at most {StorageLimits.MaxBucketNameBytes} UTF-8 bytes, the longest bucket name (got {nameBytes}, a name starting '{name[..16]}').", nameof(name));
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

    internal ActorType Get(string typeName) =>
        _types.TryGetValue(typeName, out var type)
            ? type
            : throw new ArgumentException(
                $"No actor type '{typeName}' is registered (known: {string.Join(", ", _types.Keys)}).", nameof(typeName));
}
