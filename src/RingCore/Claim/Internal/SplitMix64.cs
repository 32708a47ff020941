namespace RingCore.Claim;

/// <summary>
/// A tiny deterministic generator (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014). Claim must give the same owners on every node and every .NET
/// version, so it cannot use <see cref="Random"/>, whose algorithm is not a stable contract.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A value in [0, bound), by Lemire's multiply-shift (bias below 2^-32 for our bounds).</summary>
    public int NextBelow(int bound) => (int)(((Next() >> 32) * (ulong)bound) >> 32);

    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextBelow(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
