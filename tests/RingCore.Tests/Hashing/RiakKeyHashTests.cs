using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using RingCore.Hashing;

namespace RingCore.Tests.Hashing;

public sealed class RiakKeyHashTests
{
    // Every power of two RiakKeyHash accepts as a ring size.
    private static readonly int[] ValidPartitionCounts = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

    // term_to_binary({<<"bucket">>, <<"key">>}) as printed by Erlang/OTP 25 (see ErlangVectors).
    private static readonly byte[] BucketKeyTerm = Convert.FromHexString("8368026D000000066275636B65746D000000036B6579");

    [Fact]
    public void EncodeBucketKey_WritesTermToBinaryOfTheTuple()
    {
        byte[] expected =
        [
            131, 104, 2,                                  // version, SMALL_TUPLE_EXT, arity 2
            109, 0, 0, 0, 6, (byte)'b', (byte)'u', (byte)'c', (byte)'k', (byte)'e', (byte)'t', // BINARY_EXT, length 6, "bucket"
            109, 0, 0, 0, 3, (byte)'k', (byte)'e', (byte)'y', // BINARY_EXT, length 3, "key"
        ];
        Span<byte> destination = stackalloc byte[64];

        int written = RiakKeyHash.EncodeBucketKey("bucket"u8, "key"u8, destination);

        Assert.Equal(expected, destination[..written].ToArray());
        Assert.Equal(BucketKeyTerm, destination[..written].ToArray());
        Assert.Equal(RiakKeyHash.EncodedLength(6, 3), written);
    }

    [Fact]
    public void EncodeBucketKey_OfEmptyBucketAndKey_WritesTwoEmptyBinaries()
    {
        Span<byte> destination = stackalloc byte[13];

        int written = RiakKeyHash.EncodeBucketKey([], [], destination);

        Assert.Equal(Convert.FromHexString("8368026D000000006D00000000"), destination[..written].ToArray());
    }

    [Theory]
    [InlineData(0, 0, 13)]
    [InlineData(6, 3, 22)]
    [InlineData(1, 300, 314)]
    public void EncodedLength_IsHeadersPlusBothLengths(int bucketLength, int keyLength, int expected)
    {
        Assert.Equal(expected, RiakKeyHash.EncodedLength(bucketLength, keyLength));
    }

    [Fact]
    public void EncodedLength_RejectsNegativeAndOverlongLengths()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RiakKeyHash.EncodedLength(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiakKeyHash.EncodedLength(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiakKeyHash.EncodedLength(int.MaxValue, int.MaxValue));
    }

    [Fact]
    public void EncodeBucketKey_IntoATooSmallDestination_Throws()
    {
        byte[] destination = new byte[21];

        ArgumentException thrown = Assert.Throws<ArgumentException>(
            () => RiakKeyHash.EncodeBucketKey("bucket"u8, "key"u8, destination));

        Assert.Equal("destination", thrown.ParamName);
        Assert.Contains("22", thrown.Message, StringComparison.Ordinal);
        Assert.All(destination, b => Assert.Equal(0, b)); // nothing half-written
    }

    // Produced by Erlang/OTP 25 (Debian's erlang-nox 25.2.3), not by this code: for each pair,
    //   T = term_to_binary({Bucket, Key}), H = crypto:hash(sha, T)   % chash:key_of({Bucket, Key})
    //   <<I:160/integer>> = H, Inc = trunc(math:pow(2,160)-1) div Q,  % chash:ring_increment(Q)
    //   Partition = ((I div Inc) + 1) rem Q                            % chashbin:responsible_position/2
    // (In OTP, trunc(math:pow(2,160)-1) =:= 1 bsl 160 is true: the float subtraction is lost.)
    [Theory]
    [InlineData("bucket", "key", "28D8DDC5D00E8D5EB7F88A36EB0190B7E9B229A6", 2, 11, 164, 10457)]
    [InlineData("", "", "F83F9D59BBA54CD381E322CA99C4B10B64253AAD", 0, 63, 993, 63552)]
    [InlineData("users", "alice", "70A5C181536135E7ED8F0E6F99E9231924ED860C", 4, 29, 451, 28838)]
    [InlineData("ring", "core", "7F514FB6A560651DA2A2D79E7C2FD8741E0A8024", 4, 32, 510, 32594)]
    public void ErlangVectors(string bucket, string key, string sha1Hex, int partitionOf8, int partitionOf64, int partitionOf1024, int partitionOf65536)
    {
        byte[] bucketBytes = Encoding.ASCII.GetBytes(bucket);
        byte[] keyBytes = Encoding.ASCII.GetBytes(key);
        byte[] hash = new byte[RiakKeyHash.HashSizeInBytes];

        RiakKeyHash.Hash(bucketBytes, keyBytes, hash);

        Assert.Equal(sha1Hex, Convert.ToHexString(hash));
        Assert.Equal(partitionOf8, RiakKeyHash.PartitionOf(hash, 8));
        Assert.Equal(partitionOf64, RiakKeyHash.PartitionOf(hash, 64));
        Assert.Equal(partitionOf1024, RiakKeyHash.PartitionOf(hash, 1024));
        Assert.Equal(partitionOf65536, RiakKeyHash.PartitionOf(hash, 65536));
        Assert.Equal(partitionOf64, RiakKeyHash.PartitionOf(bucketBytes, keyBytes, 64));
        Assert.Equal(partitionOf1024, RiakKeyHash.PartitionOf(bucketBytes, keyBytes, 1024));
    }

    [Fact]
    public void ErlangVector_KeyLongerThanTheStackBuffer_UsesThePoolAndMatches()
    {
        // Bucket <<"b">> and a 300-byte key of bytes 0, 1, ..., 255, 0, ..., 43 encode to 314 bytes,
        // past the 256-byte stack buffer. Expected values from Erlang/OTP 25 as in ErlangVectors.
        byte[] bucket = "b"u8.ToArray();
        byte[] key = new byte[300];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = (byte)i;
        }

        byte[] hash = new byte[RiakKeyHash.HashSizeInBytes];
        RiakKeyHash.Hash(bucket, key, hash);

        Assert.Equal("357415A95CF32C084BF10995795AA0B37FB646F2", Convert.ToHexString(hash));
        Assert.Equal(2, RiakKeyHash.PartitionOf(hash, 8));
        Assert.Equal(14, RiakKeyHash.PartitionOf(bucket, key, 64));
        Assert.Equal(214, RiakKeyHash.PartitionOf(bucket, key, 1024));
        Assert.Equal(13685, RiakKeyHash.PartitionOf(hash, 65536));

        byte[] encoded = new byte[RiakKeyHash.EncodedLength(bucket.Length, key.Length)];
        RiakKeyHash.EncodeBucketKey(bucket, key, encoded);
        Assert.Equal(Convert.FromHexString("8368026D00000001626D0000012C"), encoded[..14]);
    }

    [Theory]
    [InlineData(242)] // encodes to 255 bytes
    [InlineData(243)] // 256: the largest on the stack
    [InlineData(244)] // 257: the smallest from the pool
    [InlineData(5000)]
    public void Hash_AroundTheStackBufferLimit_IsSha1OfTheEncoding(int keyLength)
    {
        byte[] key = new byte[keyLength];
        new Random(keyLength).NextBytes(key);
        byte[] encoded = new byte[RiakKeyHash.EncodedLength(0, keyLength)];
        RiakKeyHash.EncodeBucketKey([], key, encoded);
        byte[] hash = new byte[RiakKeyHash.HashSizeInBytes];

        RiakKeyHash.Hash([], key, hash);

        Assert.Equal(SHA1.HashData(encoded), hash);
    }

    [Fact]
    public void Hash_IntoATooSmallDestination_Throws()
    {
        byte[] destination = new byte[RiakKeyHash.HashSizeInBytes - 1];

        ArgumentException thrown = Assert.Throws<ArgumentException>(
            () => RiakKeyHash.Hash("bucket"u8, "key"u8, destination));

        Assert.Equal("destination", thrown.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(12)]
    [InlineData(100)]
    [InlineData(65535)]
    [InlineData(131072)]
    [InlineData(-8)]
    [InlineData(int.MinValue)]
    public void PartitionOf_RejectsARingSizeThatIsNotAPowerOfTwoFrom8To65536(int partitionCount)
    {
        byte[] hash = new byte[RiakKeyHash.HashSizeInBytes];

        ArgumentOutOfRangeException fromHash = Assert.Throws<ArgumentOutOfRangeException>(
            () => RiakKeyHash.PartitionOf(hash, partitionCount));
        ArgumentOutOfRangeException fromKey = Assert.Throws<ArgumentOutOfRangeException>(
            () => RiakKeyHash.PartitionOf("bucket"u8, "key"u8, partitionCount));

        Assert.Equal("partitionCount", fromHash.ParamName);
        Assert.Equal("partitionCount", fromKey.ParamName);
        Assert.Contains("power of two from 8 to 65536", fromHash.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    [InlineData(21)]
    [InlineData(32)]
    public void PartitionOf_RejectsAHashThatIsNot20Bytes(int length)
    {
        byte[] hash = new byte[length];

        ArgumentException thrown = Assert.Throws<ArgumentException>(() => RiakKeyHash.PartitionOf(hash, 64));

        Assert.Equal("sha1Hash", thrown.ParamName);
    }

    [Fact]
    public void PartitionOf_TheTopOfTheRing_WrapsToPartitionZero()
    {
        byte[] allOnes = Enumerable.Repeat((byte)0xFF, RiakKeyHash.HashSizeInBytes).ToArray();
        byte[] allZeros = new byte[RiakKeyHash.HashSizeInBytes];

        foreach (int partitionCount in ValidPartitionCounts)
        {
            Assert.Equal(0, RiakKeyHash.PartitionOf(allOnes, partitionCount));
            Assert.Equal(1, RiakKeyHash.PartitionOf(allZeros, partitionCount));
        }
    }

    [Fact]
    public void PartitionOf_AHashOnAPartitionBoundary_BelongsToTheNextPartition()
    {
        // With Q = 64, Inc = 2^154: the hash 2^154 (first byte 0x04) is partition 1's start index,
        // and riak_core (chash:next_index/2) gives it to the partition after, 2; one less is still
        // in partition 0's range and goes to 1.
        byte[] boundary = new byte[RiakKeyHash.HashSizeInBytes];
        boundary[0] = 0x04;
        byte[] belowBoundary = Enumerable.Repeat((byte)0xFF, RiakKeyHash.HashSizeInBytes).ToArray();
        belowBoundary[0] = 0x03;

        Assert.Equal(2, RiakKeyHash.PartitionOf(boundary, 64));
        Assert.Equal(1, RiakKeyHash.PartitionOf(belowBoundary, 64));
    }

    [RingProperty]
    public Property PartitionOf_AgreesWithTheBigIntegerFormula()
    {
        Arbitrary<byte[]> hashes = Arb.From(
            Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), RiakKeyHash.HashSizeInBytes));
        Arbitrary<int> partitionCounts = Arb.From(Gen.Elements(ValidPartitionCounts));

        return Prop.ForAll(hashes, partitionCounts,
            (hash, partitionCount) => RiakKeyHash.PartitionOf(hash, partitionCount) == ReferencePartitionOf(hash, partitionCount));
    }

    [RingProperty]
    public Property PartitionOf_BucketAndKey_IsHashThenPartition()
    {
        Arbitrary<byte[]> bytes = ArbMap.Default.ArbFor<byte[]>();
        Arbitrary<int> partitionCounts = Arb.From(Gen.Elements(ValidPartitionCounts));

        return Prop.ForAll(bytes, bytes, partitionCounts, (bucket, key, partitionCount) =>
        {
            byte[] encoded = new byte[RiakKeyHash.EncodedLength(bucket.Length, key.Length)];
            RiakKeyHash.EncodeBucketKey(bucket, key, encoded);
            byte[] hash = SHA1.HashData(encoded);
            return RiakKeyHash.PartitionOf(bucket, key, partitionCount) == ReferencePartitionOf(hash, partitionCount);
        });
    }

    [Fact]
    public void PartitionOf_AllocatesNothing()
    {
        byte[] bucket = "bucket"u8.ToArray();
        byte[] shortKey = new byte[16];
        byte[] longKey = new byte[1000]; // takes the pooled path
        int sink = 0;
        for (int i = 0; i < 10; i++)
        {
            // Warm up: the first calls JIT, load the SHA-1 provider and fill the pool's bucket.
            sink += RiakKeyHash.PartitionOf(bucket, shortKey, 64) + RiakKeyHash.PartitionOf(bucket, longKey, 64);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            shortKey[0] = (byte)i;
            longKey[0] = (byte)i;
            sink += RiakKeyHash.PartitionOf(bucket, shortKey, 64);
            sink += RiakKeyHash.PartitionOf(bucket, longKey, 1024);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        GC.KeepAlive(sink);
    }

    // riak_core's formula in 160-bit arithmetic, independent of the top-bits shortcut under test.
    private static int ReferencePartitionOf(byte[] hash, int partitionCount)
    {
        BigInteger h = new(hash, isUnsigned: true, isBigEndian: true);
        BigInteger increment = (BigInteger.One << 160) / partitionCount;
        return (int)(((h / increment) + 1) % partitionCount);
    }
}
