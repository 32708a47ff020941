using FASTER.core;
using System.IO.Hashing;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// Key equality and hashing for FASTER's index. The hash must be the same in every process,
/// because FASTER saves index entries (hash tags) in its checkpoints: XxHash64, never a
/// per-process randomized hash.
/// </summary>
internal sealed class FasterKeyComparer : IFasterEqualityComparer<byte[]>
{
    public static readonly FasterKeyComparer Instance = new();

    public bool Equals(ref byte[] k1, ref byte[] k2) => k1.AsSpan().SequenceEqual(k2);

    public long GetHashCode64(ref byte[] k) => (long)XxHash64.HashToUInt64(k);
}
