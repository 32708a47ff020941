namespace RingCore.Storage;

/// <summary>One key and its object, as a fold over a store yields them.</summary>
/// <param name="Key">The key's bytes.</param>
/// <param name="Object">The stored object.</param>
public readonly record struct StoredEntry(ReadOnlyMemory<byte> Key, StoredObject Object);
