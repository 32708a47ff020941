namespace RingCore.Actors;

/// <summary>
/// Which actor: its type, its key and the key's ring position. The position is already an
/// XxHash64 of the key, so it doubles as the hash code of the vnode's actor table.
/// </summary>
internal readonly struct ActorId(int typeIndex, byte[] key, ulong position) : IEquatable<ActorId>
{
    public int TypeIndex { get; } = typeIndex;

    public byte[] Key { get; } = key;

    public ulong Position { get; } = position;

    public bool Equals(ActorId other) =>
        Position == other.Position && TypeIndex == other.TypeIndex && Key.AsSpan().SequenceEqual(other.Key);

    public override bool Equals(object? obj) => obj is ActorId other && Equals(other);

    public override int GetHashCode() => (int)Position ^ (int)(Position >> 32);
}
