using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using RingCore.Causality;
using RingCore.Hashing;

namespace RingCore.Tests.Causality;

/// <summary>
/// The causal context a client carries: every vector round-trips, and every malformed input
/// (truncated, damaged, another version, an overflowing counter, too many entries, too long,
/// out of order) is refused with a <see cref="FormatException"/> that says what is wrong,
/// never another exception and never a wrong vector.
/// </summary>
public sealed class CausalContextTests
{
    private static readonly ReplicaId A = new(1), B = new(2);

    [RingProperty]
    public Property Every_vector_round_trips()
    {
        return Prop.ForAll(CausalityTestData.AnyVector(40).ToArbitrary(), vector =>
        {
            var context = CausalContext.Encode(vector);
            CausalityTestData.Require(CausalContext.Decode(context.Bytes.Span).Equals(vector), $"{vector} did not round-trip");
            CausalityTestData.Require(context.ToVersionVector().Equals(vector), "the context decodes to its vector");
            CausalityTestData.Require(CausalContext.FromBytes(context.Bytes.Span) == context, "a context read back equals the one sent");
            CausalityTestData.Require(context.IsEmpty == (vector.Count == 0), "only the empty vector has the empty context");
            return true;
        });
    }

    [Fact]
    public void No_context_is_the_empty_history()
    {
        Assert.True(CausalContext.Empty.IsEmpty);
        Assert.Equal(0, CausalContext.Empty.Bytes.Length);
        Assert.Equal(CausalContext.Empty, CausalContext.Encode(VersionVector.Empty));
        Assert.Same(VersionVector.Empty, CausalContext.Decode([]));
        Assert.Same(VersionVector.Empty, CausalContext.Empty.ToVersionVector());

        // A versioned encoding of no entries is also accepted.
        Assert.Equal(VersionVector.Empty, CausalContext.Decode(WithChecksum([CausalContext.FormatVersion, 0])));
    }

    [RingProperty]
    public Property Every_truncation_and_every_single_bit_flip_is_refused()
    {
        var input =
            from vector in CausalityTestData.AnyVector(6).Where(v => v.Count > 0)
            from cut in Gen.Choose(0, int.MaxValue)
            from bit in Gen.Choose(0, int.MaxValue)
            select (vector, cut, bit);

        return Prop.ForAll(input.ToArbitrary(), x =>
        {
            var bytes = CausalContext.Encode(x.vector).Bytes.ToArray();
            int length = 1 + (x.cut % (bytes.Length - 1)); // 1 .. length - 1: the empty prefix is "no context"
            CausalityTestData.Require(!CausalContext.TryDecode(bytes.AsSpan(0, length), out _, out string? error), $"a {length}-byte prefix was accepted");
            CausalityTestData.Require(error!.Length > 0, "a refusal names its reason");
            CausalityTestData.Require(Throws(bytes.AsSpan(0, length).ToArray()) is FormatException, "Decode refuses it with a FormatException");

            var flipped = (byte[])bytes.Clone();
            flipped[(x.bit / 8) % flipped.Length] ^= (byte)(1 << (x.bit % 8));
            CausalityTestData.Require(!CausalContext.TryDecode(flipped, out _), "a flipped bit was accepted");
            return true;
        });
    }

    [RingProperty]
    public Property Random_bytes_never_crash_the_decoder()
    {
        return Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var withVersion = bytes.Length == 0 ? bytes : [CausalContext.FormatVersion, .. bytes];
            foreach (var candidate in new[] { bytes, withVersion, WithChecksum(withVersion) })
            {
                // TryDecode either succeeds with a vector that encodes back to the same bytes, or
                // fails; it never throws.
                if (CausalContext.TryDecode(candidate, out var vector))
                {
                    CausalityTestData.Require(candidate.Length == 0 || CausalContext.Encode(vector).Bytes.Span.SequenceEqual(candidate) || vector.Count == 0,
                        "an accepted context is the one encoding of its vector");
                }
            }

            return true;
        });
    }

    [Fact]
    public void Malformed_contexts_are_refused_with_a_message_that_names_the_problem()
    {
        byte v = CausalContext.FormatVersion;
        var entry = Entry(A.Value, [3]);
        Assert.Contains("format version 2", Message([2, 1, .. entry, 0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.Contains("checksum does not match", Message([v, 1, .. entry, 1, 2, 3, 4, 5, 6, 7, 8]));
        Assert.Contains("shorter than", Message([v, 0]));
        Assert.Contains("more than the", Message(new byte[CausalContext.MaxBytes + 1].Select(_ => v).ToArray()));

        // Structural errors behind a valid checksum: what a buggy or hostile client could send.
        Assert.Contains("overflows 64 bits", Message(WithChecksum([v, 1, .. Entry(A.Value, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02])])));
        Assert.Contains("ends inside the counter", Message(WithChecksum([v, 1, .. Entry(A.Value, [0xFF, 0xFF])])));
        Assert.Contains("more than the limit of 1024", Message(WithChecksum([v, 0x81, 0x08])));
        Assert.Contains("too few for that many", Message(WithChecksum([v, 3, .. entry])));
        Assert.Contains("not above the id before it", Message(WithChecksum([v, 2, .. Entry(B.Value, [1]), .. Entry(A.Value, [1])])));
        Assert.Contains("not above the id before it", Message(WithChecksum([v, 2, .. entry, .. entry])));
        Assert.Contains("counter 0", Message(WithChecksum([v, 1, .. Entry(A.Value, [0])])));
        Assert.Contains("shortest encoding", Message(WithChecksum([v, 1, .. Entry(A.Value, [0x83, 0x00])])));
        Assert.Contains("unexpected bytes", Message(WithChecksum([v, 1, .. entry, 7])));

        // The largest counter is fine.
        var top = CausalContext.Decode(WithChecksum([v, 1, .. Entry(A.Value, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])]));
        Assert.Equal(ulong.MaxValue, top.Get(A));
    }

    [Fact]
    public void A_context_of_the_most_entries_fits_and_one_more_is_refused()
    {
        var largest = VersionVector.Create(Enumerable.Range(1, CausalContext.MaxEntries)
            .Select(i => KeyValuePair.Create(new ReplicaId((ulong)i * 0x9E3779B97F4A7C15UL), ulong.MaxValue)));
        var context = CausalContext.Encode(largest);
        Assert.True(context.Bytes.Length <= CausalContext.MaxBytes);
        Assert.Equal(largest, context.ToVersionVector());

        var tooLarge = largest.Increment(new ReplicaId(0));
        Assert.Contains("at most 1024 entries", Assert.Throws<ArgumentException>(() => CausalContext.Encode(tooLarge)).Message);
    }

    [Fact]
    public void Contexts_compare_by_bytes_and_describe_their_vector()
    {
        var first = CausalContext.Encode(VersionVector.Empty.Increment(A));
        var second = CausalContext.Encode(VersionVector.Empty.Increment(A));
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, CausalContext.Encode(VersionVector.Empty.Increment(B)));
        Assert.Contains("[0000000000000001:1]", first.ToString());
        Assert.Throws<FormatException>(() => CausalContext.FromBytes([9, 9, 9]));
    }

    private static byte[] Entry(ulong id, byte[] counter)
    {
        var bytes = new byte[sizeof(ulong) + counter.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, id);
        counter.CopyTo(bytes, sizeof(ulong));
        return bytes;
    }

    private static byte[] WithChecksum(byte[] body)
    {
        var bytes = new byte[body.Length + sizeof(ulong)];
        body.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(body.Length), XxHash64.Hash(body, CausalContext.ChecksumSeed));
        return bytes;
    }

    private static string Message(byte[] bytes)
    {
        var error = Assert.IsType<FormatException>(Throws(bytes));
        Assert.False(CausalContext.TryDecode(bytes, out _));
        Assert.StartsWith("The causal context is malformed: ", error.Message);
        return error.Message;
    }

    private static Exception? Throws(byte[] bytes) => Record.Exception(() => CausalContext.Decode(bytes));
}
