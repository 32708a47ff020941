using FsCheck;
using FsCheck.Fluent;
using RingCore.Hashing;

namespace RingCore.Tests.Hashing;

public sealed class XxHash64Tests
{
    // The constants of the xxHash sanity check: PRIME32 is its non-zero seed, and both drive the
    // generator of its test buffer (cli/xsum_sanity_check.c, XSUM_fillTestBuffer).
    private const ulong Prime32 = 2654435761UL;
    private const ulong Prime64 = 11400714785074694797UL;

    // The longest buffer any case below hashes.
    private const int SanityBufferLength = 2367;

    private static readonly byte[] SanityBuffer = CreateSanityBuffer(SanityBufferLength);

    // The xxHash project's published XXH64 vectors: table XSUM_XXH64_testdata in
    // cli/xsum_sanity_check.c of Cyan4973/xxHash. Each hashes the first `length` bytes of the
    // sanity buffer. Together they run every path: the empty input, a 1-byte tail (1), a 4-byte
    // tail (4), the 8-, 4- and 1-byte tails (14 = 8 + 4 + 2), and the 32-byte stripe loop followed
    // by all three tails (222 = 6 * 32 + 8 * 3 + 4 + 2).
    [Theory]
    [InlineData(0, 0UL, 0xEF46DB3751D8E999UL)]
    [InlineData(0, Prime32, 0xAC75FDA2929B17EFUL)]
    [InlineData(1, 0UL, 0xE934A84ADB052768UL)]
    [InlineData(1, Prime32, 0x5014607643A9B4C3UL)]
    [InlineData(4, 0UL, 0x9136A0DCA57457EEUL)]
    [InlineData(14, 0UL, 0x8282DCC4994E35C8UL)]
    [InlineData(14, Prime32, 0xC3BD6BF63DEB6DF0UL)]
    [InlineData(222, 0UL, 0xB641AE8CB691C174UL)]
    [InlineData(222, Prime32, 0x20CB8AB7AE10C14AUL)]
    public void Hash_MatchesThePublishedSanityVectors(int length, ulong seed, ulong expected)
    {
        Assert.Equal(expected, XxHash64.Hash(SanityBuffer.AsSpan(0, length), seed));
    }

    // Not published by the xxHash project: computed with an independent implementation (the npm
    // package xxhash-wasm 1.1.0, h64Raw) over the same sanity buffer, to pin the edges the
    // published table skips: a lone 8-byte lane (8), the longest input without stripes (31), exact
    // stripes with no tail (32, 64), one stripe plus one byte (33), a long input (2367), and an
    // all-ones seed, which makes the seed arithmetic of step 1 wrap.
    [Theory]
    [InlineData(8, 0UL, 0xCDBCF538E71D1348UL)]
    [InlineData(8, 0xFFFFFFFFFFFFFFFFUL, 0x568E81B1596E8283UL)]
    [InlineData(31, 0UL, 0x299B39A290E6D783UL)]
    [InlineData(32, 0UL, 0x18B216492BB44B70UL)]
    [InlineData(32, Prime32, 0xB3F33BDF93ADE409UL)]
    [InlineData(32, 0xFFFFFFFFFFFFFFFFUL, 0x3A793D9020113C2AUL)]
    [InlineData(33, 0UL, 0x55C8DC3E578F5B59UL)]
    [InlineData(64, 0UL, 0xEF558F8ACAC2B5CDUL)]
    [InlineData(100, Prime32, 0x4853706DC9625CAEUL)]
    [InlineData(2367, 0UL, 0xA82418DDEC0EA581UL)]
    [InlineData(2367, 0xFFFFFFFFFFFFFFFFUL, 0x14371C2901C92A60UL)]
    public void Hash_MatchesAnIndependentImplementation(int length, ulong seed, ulong expected)
    {
        Assert.Equal(expected, XxHash64.Hash(SanityBuffer.AsSpan(0, length), seed));
    }

    [Fact]
    public void Hash_OfText_MatchesAnIndependentImplementation()
    {
        // Values from xxhash-wasm 1.1.0 (see above); "abc" and the 39-byte sentence are also the
        // values other XXH64 ports test against.
        Assert.Equal(0x44BC2CF5AD770999UL, XxHash64.Hash("abc"u8));
        Assert.Equal(0xFBCEA83C8A378BF1UL, XxHash64.Hash("Nobody inspects the spammish repetition"u8));
        Assert.Equal(0x878E8864EDF9E43EUL, XxHash64.Hash("bucket/key-0001"u8));
    }

    [Fact]
    public void Hash_WithoutASeed_UsesSeedZero()
    {
        byte[] data = SanityBuffer.AsSpan(0, 100).ToArray();

        Assert.Equal(XxHash64.Hash(data, 0), XxHash64.Hash(data));
        Assert.NotEqual(XxHash64.Hash(data, 0), XxHash64.Hash(data, 1));
    }

    [RingProperty]
    public Property Hash_OfASliceOfALargerArray_EqualsHashOfACopy()
    {
        // The hash must depend on the bytes alone, not on where they sit: the stripe loop reads
        // unaligned 8-byte lanes, so an offset into a larger array must change nothing.
        Arbitrary<byte[]> data = ArbMap.Default.ArbFor<byte[]>();
        Arbitrary<int> offset = Arb.From(Gen.Choose(0, 15));
        Arbitrary<ulong> seed = ArbMap.Default.ArbFor<ulong>();

        return Prop.ForAll(data, offset, seed, (bytes, start, s) =>
        {
            byte[] larger = new byte[start + bytes.Length + 7];
            Array.Fill(larger, (byte)0xA5);
            bytes.CopyTo(larger, start);
            return XxHash64.Hash(larger.AsSpan(start, bytes.Length), s) == XxHash64.Hash(bytes, s);
        });
    }

    [Fact]
    public void Hash_AllocatesNothing()
    {
        byte[] key = SanityBuffer.AsSpan(0, 16).ToArray();
        ulong sink = XxHash64.Hash(SanityBuffer); // warm up: first calls may JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            sink ^= XxHash64.Hash(key, sink);
            sink ^= XxHash64.Hash(SanityBuffer.AsSpan(0, i), sink);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        GC.KeepAlive(sink);
    }

    // XSUM_fillTestBuffer of cli/xsum_sanity_check.c: byteGen starts at PRIME32, each byte is its
    // top byte, then byteGen *= PRIME64 (modulo 2^64).
    private static byte[] CreateSanityBuffer(int length)
    {
        byte[] buffer = new byte[length];
        ulong byteGen = Prime32;
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(byteGen >> 56);
            byteGen = unchecked(byteGen * Prime64);
        }

        return buffer;
    }
}
