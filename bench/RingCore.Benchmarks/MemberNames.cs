namespace RingCore.Benchmarks;

/// <summary>Names for the members of a benchmark ring: "node-000", "node-001", ...</summary>
internal static class MemberNames
{
    /// <summary>
    /// Returns <paramref name="count"/> names. Zero-padded so ordinal order, which the ring sorts
    /// members by, is numeric order and member index i is "node-i".
    /// </summary>
    public static string[] Create(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = $"node-{i:D3}";
        }

        return names;
    }
}
