namespace RingCore.Client;

/// <summary>
/// What a get found: every sibling value (one when there is no conflict) and the opaque causal
/// context to send back with the next put or delete of the key, so that the write replaces
/// what was read instead of adding a sibling.
/// </summary>
public sealed class RingGetResult
{
    /// <summary>Creates a result.</summary>
    public RingGetResult(bool found, IReadOnlyList<ReadOnlyMemory<byte>> values, ReadOnlyMemory<byte> context)
    {
        ArgumentNullException.ThrowIfNull(values);
        Found = found;
        Values = values;
        Context = context;
    }

    /// <summary>Whether the key holds a value (deleted and never written: false).</summary>
    public bool Found { get; }

    /// <summary>The sibling values; empty when not found.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Values { get; }

    /// <summary>Whether concurrent writes left more than one value: the application merges them and writes the merge back with <see cref="Context"/>.</summary>
    public bool HasSiblings => Values.Count > 1;

    /// <summary>The opaque causal context (empty for a key never written).</summary>
    public ReadOnlyMemory<byte> Context { get; }
}
