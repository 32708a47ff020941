using BenchmarkDotNet.Attributes;
using RingCore.Hashing;

namespace RingCore.Benchmarks.Routing;

/// <summary>
/// The key hash alone on short keys (issue 11): the runtime's ring position,
/// <see cref="KeyPosition.Of(ulong, ReadOnlySpan{byte})"/> (XxHash64 seeded with the bucket's
/// hash), against System.IO.Hashing's XxHash3 with the same seed. Every method reports the time
/// of hashing ONE key; the allocated column must read "-" (docs/architecture.md, rules for contributors).
/// </summary>
/// <remarks>
/// XxHash3 is measured, not used: it places keys elsewhere, so switching would move every stored
/// key. Keys are cycled as in <see cref="RoutingBenchmarks"/> (1,024 random keys from a fixed
/// seed, positions summed so the JIT keeps the work). A class of its own rather than methods of
/// <see cref="RoutingBenchmarks"/>, whose ring sizes would only repeat these rows and whose key
/// lengths are not the short ones asked about here.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(RoutingBenchmarkConfig))]
public class KeyHashBenchmarks
{
    /// <summary>Keys hashed per invocation, each a distinct random key.</summary>
    public const int KeyCount = 1024;

    // The same keys as the routing benchmarks' (same seed), cut to the lengths measured here.
    private const int KeySeed = 20240601;

    // Fields are set by Setup, which BenchmarkDotNet runs before any benchmark method.
    private byte[] _keys = [];
    private ulong _bucketSeed;

    /// <summary>Key length in bytes: a 64-bit id (8), a GUID (16), a short composite key (32).</summary>
    [Params(8, 16, 32)]
    public int KeyLength { get; set; }

    /// <summary>Generates the keys and the bucket's seed, outside the measured time.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _keys = new byte[KeyCount * KeyLength];
        new Random(KeySeed).NextBytes(_keys);
        _bucketSeed = KeyPosition.SeedOf("users"u8);
    }

    /// <summary>The runtime's ring position: XxHash64 of the key, seeded with the bucket's hash.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = KeyCount)]
    public ulong KeyPositionXxHash64()
    {
        ulong bucketSeed = _bucketSeed;
        ReadOnlySpan<byte> keys = _keys;
        int keyLength = KeyLength;
        ulong sum = 0;
        for (int offset = 0; offset < keys.Length; offset += keyLength)
        {
            sum += KeyPosition.Of(bucketSeed, keys.Slice(offset, keyLength));
        }

        return sum;
    }

    /// <summary>The same keys and seed through XxHash3 (64-bit), which would place them elsewhere.</summary>
    [Benchmark(OperationsPerInvoke = KeyCount)]
    public ulong KeyPositionXxHash3()
    {
        // The seed's bits as System.IO.Hashing takes them, as Hashing/XxHash64 passes them.
        long bucketSeed = unchecked((long)_bucketSeed);
        ReadOnlySpan<byte> keys = _keys;
        int keyLength = KeyLength;
        ulong sum = 0;
        for (int offset = 0; offset < keys.Length; offset += keyLength)
        {
            sum += System.IO.Hashing.XxHash3.HashToUInt64(keys.Slice(offset, keyLength), bucketSeed);
        }

        return sum;
    }
}
