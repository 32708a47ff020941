namespace RingCore.Storage;

/// <summary>
/// Limits every backend enforces, so a client's oversized key or value is refused with a clear
/// error before it reaches storage rather than failing somewhere deep inside a backend.
/// </summary>
public static class StorageLimits
{
    /// <summary>The largest key: 64 KiB. Keys are routed and compared on every request; larger ones are a client mistake.</summary>
    public const int MaxKeyBytes = 64 * 1024;

    /// <summary>
    /// The longest bucket name, and so the longest actor type name (a type's state lives in the
    /// bucket named after it): 1024 UTF-8 bytes, so that a bucket and a key fit in one store key.
    /// </summary>
    public const int MaxBucketNameBytes = 1024;

    /// <summary>The largest value plus metadata: 16 MiB. Larger objects stall handoff and replication of a partition.</summary>
    public const int MaxObjectBytes = 16 * 1024 * 1024;

    /// <summary>Throws a clear <see cref="ArgumentException"/> when a key is empty or too large.</summary>
    public static void CheckKey(ReadOnlyMemory<byte> key)
    {
        if (key.IsEmpty || key.Length > MaxKeyBytes)
        {
            throw new ArgumentException($"A key must be 1 to {MaxKeyBytes} bytes (got {key.Length}).", nameof(key));
        }
    }

    /// <summary>Throws a clear <see cref="ArgumentException"/> when an object is too large.</summary>
    public static void CheckObject(StoredObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        long size = (long)value.Value.Length + value.Metadata.Length;
        if (size > MaxObjectBytes)
        {
            throw new ArgumentException($"An object (value plus metadata) must be at most {MaxObjectBytes} bytes (got {size}).", nameof(value));
        }
    }
}
