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

    /// <summary>The bucket hashed with every key: riak mode always has one; xxhash mode may (a bucket or an actor type name), or hashes the key alone.</summary>
    public ReadOnlySpan<byte> Bucket => _bucket;

    public int PartitionOf(ReadOnlySpan<byte> key) => Mode switch
    {
        KeyHashMode.Riak => RiakKeyHash.PartitionOf(_bucket, key, Ring.PartitionCount),
        _ when _bucket.Length > 0 => Ring.PartitionOf(KeyPosition.Of(_bucket, key)),
        _ => Ring.PartitionOfKey(key),
    };
}
