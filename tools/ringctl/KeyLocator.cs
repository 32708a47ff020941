using RingCore.Hashing;
using RingCore.Ring;

namespace RingCore.Tools.RingCtl;

/// <summary>Maps keys to partitions of one ring, with the hash the user chose.</summary>
internal sealed class KeyLocator
{
    private readonly byte[] _bucket;

    public KeyLocator(RingState ring, KeyHashMode mode, byte[]? bucket)
    {
        Ring = ring;
        Mode = mode;
        _bucket = bucket ?? [];
    }

    public RingState Ring { get; }

    public KeyHashMode Mode { get; }

    /// <summary>The bucket riak mode hashes with every key (empty in xxhash mode).</summary>
    public ReadOnlySpan<byte> Bucket => _bucket;

    public int PartitionOf(ReadOnlySpan<byte> key) => Mode == KeyHashMode.Riak
        ? RiakKeyHash.PartitionOf(_bucket, key, Ring.PartitionCount)
        : Ring.PartitionOfKey(key);
}
