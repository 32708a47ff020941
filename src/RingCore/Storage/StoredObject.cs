namespace RingCore.Storage;

/// <summary>
/// What a vnode stores under a key: the value's bytes and its causal metadata (the serialized
/// dotted version vector once replication lands; empty until then). Immutable: a store may hand
/// the same instance to several readers.
/// </summary>
public sealed class StoredObject
{
    /// <summary>Creates an object from bytes the caller will not change afterwards.</summary>
    public StoredObject(ReadOnlyMemory<byte> value, ReadOnlyMemory<byte> metadata = default)
    {
        Value = value;
        Metadata = metadata;
    }

    /// <summary>The value's bytes.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>Causal metadata (a serialized version vector); empty when there is none.</summary>
    public ReadOnlyMemory<byte> Metadata { get; }
}
