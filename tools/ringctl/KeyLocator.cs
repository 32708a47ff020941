using System.Diagnostics;
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
        _ => Ring.PartitionOf(PositionOf(key)),
    };

    /// <summary>
    /// The key's position on the 2^64 ring in xxhash mode: the XxHash64 of the key, seeded with
    /// the bucket's hash when there is a bucket (as the store and the actor types place keys).
    /// The partition is its top bits, so the report prints the very number it routes by.
    /// </summary>
    public ulong PositionOf(ReadOnlySpan<byte> key)
    {
        Debug.Assert(Mode == KeyHashMode.XxHash, "riak mode places keys on a 2^160 ring, by SHA-1");
        return _bucket.Length > 0 ? KeyPosition.Of(_bucket, key) : XxHash64.Hash(key);
    }
}
