using RingCore.Hashing;

namespace RingCore.Causality;

/// <summary>
/// Compares byte values by content, for the sibling sets a vnode stores
/// (<c>SiblingSet&lt;ReadOnlyMemory&lt;byte&gt;&gt;</c>): the default comparer of
/// <see cref="ReadOnlyMemory{T}"/> compares which array a memory views, so the same value
/// decoded twice would count as two. XxHash64 keeps hashes the same in every process.
/// </summary>
internal sealed class ByteValueComparer : IEqualityComparer<ReadOnlyMemory<byte>>
{
    public static readonly ByteValueComparer Instance = new();

    public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

    public int GetHashCode(ReadOnlyMemory<byte> value) => (int)XxHash64.Hash(value.Span);
}
