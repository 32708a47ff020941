namespace RingCore.Hashing;

/// <summary>
/// The ring position of a key within a namespace: a bucket of the replicated store, or an actor
/// type. The namespace's own hash seeds the key's XxHash64, so one key in two namespaces lands on
/// unrelated partitions without concatenating namespace and key on every request.
/// </summary>
public static class KeyPosition
{
    /// <summary>The seed of <paramref name="bucket"/>'s keys: the XxHash64 of its name's bytes.</summary>
    public static ulong SeedOf(ReadOnlySpan<byte> bucket) => XxHash64.Hash(bucket);

    /// <summary>The position of <paramref name="key"/> in the bucket whose seed is <paramref name="bucketSeed"/>.</summary>
    public static ulong Of(ulong bucketSeed, ReadOnlySpan<byte> key) => XxHash64.Hash(key, bucketSeed);

    /// <summary>The position of <paramref name="key"/> in <paramref name="bucket"/>.</summary>
    public static ulong Of(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key) => Of(SeedOf(bucket), key);
}
