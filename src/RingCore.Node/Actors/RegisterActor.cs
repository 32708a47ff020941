using RingCore.Actors;

namespace RingCore.Daemon.Actors.Register;

/// <summary>Stores <see cref="Value"/> (base64 in JSON; null clears it). No reply.</summary>
internal sealed record Set(byte[]? Value);

/// <summary>Replies the stored value (base64 in JSON), or null when none is.</summary>
internal sealed record Get;

/// <summary>A register's state: its value, if any.</summary>
internal sealed record RegisterState(byte[]? Value);

/// <summary>
/// The built-in actor type <c>register</c>: one byte string per key, written through to N
/// replicas before each reply. Concurrent values written on two sides of a partition resolve to
/// the greatest by byte order (every node picks the same one; the other is lost, as with
/// last-write-wins).
/// </summary>
internal static class RegisterActor
{
    /// <summary>The type's registered name.</summary>
    public const string TypeName = "register";

    public static void Define(ActorRegistry actors) =>
        actors.Add<RegisterState>(TypeName, type => type
            .InitialState(_ => new RegisterState(null))
            .On<Set>((_, message, _) => new RegisterState(message.Value))
            .On<Get, byte[]?>((state, _, _) => (state, state.Value))
            .Merge(versions => versions.MaxBy(version => version.Value, ValueOrder.Instance)!)
            .WithDurability(ActorDurability.WriteThrough)
            .WithMessageSerializer(BuiltInActors.Messages));

    private sealed class ValueOrder : IComparer<byte[]?>
    {
        public static readonly ValueOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x is null ? (y is null ? 0 : -1) : y is null ? 1 : x.AsSpan().SequenceCompareTo(y);
    }
}
