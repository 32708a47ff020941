namespace RingCore.Client;

/// <summary>What a put wrote: the context of the new value and, when the put asked for the body, the siblings after the write.</summary>
public sealed class RingPutResult
{
    /// <summary>Creates a result.</summary>
    public RingPutResult(ReadOnlyMemory<byte> context, IReadOnlyList<ReadOnlyMemory<byte>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Context = context;
        Values = values;
    }

    /// <summary>The causal context of the value written: send it with the next put of the key.</summary>
    public ReadOnlyMemory<byte> Context { get; }

    /// <summary>With <c>returnBody</c>: the siblings stored after the write (the value written among them); otherwise empty.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Values { get; }
}
