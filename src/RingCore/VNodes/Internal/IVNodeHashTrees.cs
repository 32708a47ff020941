namespace RingCore.VNodes;

/// <summary>
/// What a vnode tells its Merkle trees (anti-entropy, a level above, implements it): every
/// object it stores or deletes, right after the store acknowledged it, and every stored object
/// that failed to decode. Calls come from many keys at once; each key's calls are serialized by
/// the vnode's key lock.
/// </summary>
internal interface IVNodeHashTrees
{
    /// <summary><paramref name="key"/> now holds <paramref name="stored"/> (the encoded sibling set).</summary>
    void Written(ReadOnlySpan<byte> key, ReadOnlySpan<byte> stored);

    /// <summary><paramref name="key"/> was removed from the store.</summary>
    void Deleted(ReadOnlySpan<byte> key);

    /// <summary>
    /// Whether the trees hold <paramref name="key"/>: the store held it when the vnode last wrote,
    /// deleted or folded it. A key the trees hold that the store lacks was lost beneath the vnode
    /// (a deleted file, a lost write). False when the trees are not kept or not built.
    /// </summary>
    bool Holds(ReadOnlySpan<byte> key);

    /// <summary>
    /// The object stored under <paramref name="key"/> failed to decode (bit rot, a damaged
    /// file): the vnode treats it as absent, and whatever writes the key next replaces it.
    /// </summary>
    void Corrupted(ReadOnlySpan<byte> key, InvalidDataException error);
}
