using System.Globalization;
using System.Text;
using RingCore.Causality;
using RingCore.Replication;

namespace RingCore.Benchmarks.AntiEntropy;

/// <summary>
/// The keys and objects of the anti-entropy benchmarks: store keys as a node writes them
/// (bucket <c>users</c>, key <c>user-0000000042</c>: 23 bytes) and small stored sibling sets
/// (one 80-byte payload under one dot: 103 bytes encoded).
/// </summary>
internal static class AntiEntropyData
{
    /// <summary>The keys the benchmarks' trees hold.</summary>
    public const int TreeKeys = 1_000_000;

    /// <summary>The store keys <c>users/user-{first}</c> to <c>users/user-{first + count - 1}</c>.</summary>
    public static byte[][] Keys(int first, int count)
    {
        var keys = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            keys[i] = ReplicationService.StoreKey("users", Encoding.ASCII.GetBytes((first + i).ToString("'user-'0000000000", CultureInfo.InvariantCulture)));
        }

        return keys;
    }

    /// <summary>A stored set of one value of 80 bytes derived from <paramref name="key"/>, written by <paramref name="replica"/>.</summary>
    public static byte[] ObjectOf(ReadOnlySpan<byte> key, ulong replica)
    {
        var payload = new byte[80];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = key[i % key.Length];
        }

        var value = ReplicaValue.Create(payload, timestamp: 638_000_000_000_000_000 + (long)replica, tombstone: false);
        return SiblingSetCodec.Encode(SiblingSet.Update(SiblingSet.New(value), new ReplicaId(replica)));
    }
}
