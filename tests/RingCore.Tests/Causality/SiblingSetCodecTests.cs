using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using RingCore.Causality;
using RingCore.Storage;

namespace RingCore.Tests.Causality;

/// <summary>
/// The stored form of a sibling set: sets from random histories (and client writes with
/// anonymous values) round-trip to equal sets and to the very same bytes, and malformed bytes
/// (truncated, damaged, another version, an overflowing counter, too many entries or siblings,
/// too long) give an <see cref="InvalidDataException"/> naming the problem, never another
/// exception.
/// </summary>
public sealed class SiblingSetCodecTests
{
    private static readonly IEqualityComparer<ReadOnlyMemory<byte>> Bytes = ByteValueComparer.Instance;
    private static readonly ReplicaId A = new(1), B = new(2);

    /// <summary>Sets replicas held during a random history, values turned into byte strings of 0 to 299 bytes.</summary>
    private static Gen<SiblingSet<ReadOnlyMemory<byte>>> StoredSets { get; } =
        from history in CausalityTestData.Histories
        from pick in Gen.Choose(0, int.MaxValue)
        from anonymous in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        select ToBytes(history.Replay(), pick, anonymous);

    [RingProperty]
    public Property Every_set_round_trips_to_an_equal_set_and_the_same_bytes()
    {
        return Prop.ForAll(StoredSets.ToArbitrary(), set =>
        {
            var bytes = SiblingSetCodec.Encode(set);
            var decoded = SiblingSetCodec.Decode(bytes);
            CausalityTestData.Require(decoded.Equals(set, Bytes), $"{set} decoded as {decoded}");
            CausalityTestData.Require(decoded.AnonymousCount == set.AnonymousCount, "anonymous values stay anonymous");
            CausalityTestData.Require(SiblingSetCodec.Encode(decoded).AsSpan().SequenceEqual(bytes), "the encoding is canonical");
            return true;
        });
    }

    [RingProperty]
    public Property Every_truncation_is_refused_and_damage_never_crashes_the_decoder()
    {
        var input =
            from set in StoredSets
            from cut in Gen.Choose(0, int.MaxValue)
            from position in Gen.Choose(0, int.MaxValue)
            from replacement in Gen.Choose(0, 255)
            select (set, cut, position, replacement);

        return Prop.ForAll(input.ToArbitrary(), x =>
        {
            var bytes = SiblingSetCodec.Encode(x.set);
            int length = x.cut % bytes.Length;
            CausalityTestData.Require(Throws(bytes.AsMemory(0, length)) is InvalidDataException, $"a {length}-byte prefix of {bytes.Length} was not refused");

            // A damaged byte either still decodes (into a set that encodes to exactly those
            // bytes: nothing is silently normalised) or is refused, never anything else.
            var damaged = (byte[])bytes.Clone();
            damaged[x.position % damaged.Length] = (byte)x.replacement;
            var error = Throws(damaged);
            CausalityTestData.Require(error is null or InvalidDataException, $"damage gave {error?.GetType().Name}: {error?.Message}");
            CausalityTestData.Require(error is not null || SiblingSetCodec.Encode(SiblingSetCodec.Decode(damaged)).AsSpan().SequenceEqual(damaged),
                "an accepted encoding is the one encoding of its set");
            return true;
        });
    }

    [RingProperty]
    public Property Random_bytes_never_crash_the_decoder()
    {
        return Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            byte[] withVersion = [SiblingSetCodec.FormatVersion, .. bytes];
            CausalityTestData.Require(Throws(bytes) is null or InvalidDataException && Throws(withVersion) is null or InvalidDataException,
                "the decoder threw something other than InvalidDataException");
            return true;
        });
    }

    [Fact]
    public void Malformed_sets_are_refused_with_a_message_that_names_the_problem()
    {
        byte v = SiblingSetCodec.FormatVersion;
        Assert.Contains("ends before the format version", Message([]));
        Assert.Contains("format version 7", Message([7, 0, 0]));
        Assert.Contains("overflows 64 bits", Message([v, 1, .. Id(A), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0]));
        Assert.Contains("entry count is 1025, more than the limit of 1024", Message([v, 0x81, 0x08, 0]));
        Assert.Contains("too few for that many", Message([v, 100, .. Id(A), 1, 0, 0]));
        Assert.Contains("live value count of entry 0 is 3, more than the limit of 2", Message([v, 1, .. Id(A), 2, 3, 0, 0, 0, 0]));
        Assert.Contains("anonymous value count is 1025", Message([v, 0, 0x81, 0x08]));
        Assert.Contains("not above the id before it", Message([v, 2, .. Id(B), 1, 0, .. Id(A), 1, 0, 0]));
        Assert.Contains("counter 0", Message([v, 1, .. Id(A), 0, 0, 0]));
        Assert.Contains("shortest encoding", Message([v, 0x80, 0x00, 0]));
        Assert.Contains("value 0 claims 5 bytes, but only 2 follow", Message([v, 1, .. Id(A), 1, 1, 0, 5, 1, 2]));
        Assert.Contains("1 unexpected bytes follow the end", Message([v, 1, .. Id(A), 1, 1, 0, 1, 9, 9]));
        Assert.Contains("more than the limit of 16777216", Message(new byte[SiblingSetCodec.MaxBytes + 1]));

        // The smallest well-formed sets.
        Assert.Equal(0, SiblingSetCodec.Decode(new byte[] { v, 0, 0 }).Count);
        byte[] oneValue = [v, 1, .. Id(A), 1, 1, 0, 1, 42];
        var one = SiblingSetCodec.Decode(oneValue);
        Assert.Equal(42, one.Values.Single().Span[0]);
        Assert.Equal(1UL, one.Join().Get(A));
    }

    [Fact]
    public void Anonymous_values_encode_in_byte_order_whatever_order_a_sync_left_them_in()
    {
        // Sync unites anonymous values left side first, so these equal sets hold them in two
        // orders; anti-entropy hashes the bytes, so they must encode alike (issue 14).
        ReadOnlyMemory<byte> x = "x"u8.ToArray(), y = "y"u8.ToArray(), longer = "xx"u8.ToArray();
        var context = SiblingSet.Update(SiblingSet.New<ReadOnlyMemory<byte>>(new byte[] { 0 }), A).Join();
        var dotted = SiblingSet.Update(SiblingSet.New<ReadOnlyMemory<byte>>(new byte[] { 1 }), B);
        var left = SiblingSet.Sync(
            SiblingSet.Sync(SiblingSet.Sync(SiblingSet.New(context, y), SiblingSet.New(context, longer), Bytes), SiblingSet.New(context, x), Bytes),
            dotted, Bytes);
        var right = SiblingSet.Sync(
            dotted,
            SiblingSet.Sync(SiblingSet.Sync(SiblingSet.New(context, x), SiblingSet.New(context, y), Bytes), SiblingSet.New(context, longer), Bytes), Bytes);
        Assert.True(left.Equals(right, Bytes), $"{left} and {right} should be equal sets");
        Assert.False(left.Values.SequenceEqual(right.Values, Bytes), "the two sets should hold their anonymous values in different orders");

        var bytes = SiblingSetCodec.Encode(left);
        Assert.Equal(bytes, SiblingSetCodec.Encode(right));
        var decoded = SiblingSetCodec.Decode(bytes);
        Assert.Equal(["x", "xx", "y", "\u0001"], decoded.Values.Select(value => System.Text.Encoding.Latin1.GetString(value.Span)));
    }

    [Fact]
    public void Anonymous_values_out_of_byte_order_are_refused()
    {
        byte v = SiblingSetCodec.FormatVersion;
        Assert.Contains("anonymous value 1 sorts before anonymous value 0", Message([v, 0, 2, 1, (byte)'y', 1, (byte)'x']));
        Assert.Contains("anonymous value 2 sorts before anonymous value 1", Message([v, 0, 3, 1, (byte)'a', 2, (byte)'b', (byte)'b', 1, (byte)'b']));

        // Equal anonymous values may repeat (a set of them is a multiset on disk), and dotted
        // values keep their own order, newest dot first.
        byte[] repeated = [v, 0, 2, 1, (byte)'x', 1, (byte)'x'];
        byte[] dotted = [v, 1, .. Id(A), 2, 2, 1, 1, (byte)'a', 1, (byte)'z', 1, (byte)'b'];
        Assert.Equal(2, SiblingSetCodec.Decode(repeated).Count);
        Assert.Equal(3, SiblingSetCodec.Decode(dotted).Count);
    }

    [Fact]
    public void Sets_beyond_the_limits_are_not_encoded()
    {
        var tooMany = SiblingSet<ReadOnlyMemory<byte>>.Empty;
        for (int i = 0; i <= SiblingSetCodec.MaxSiblings; i++)
        {
            tooMany = SiblingSet.Update(SiblingSet.New<ReadOnlyMemory<byte>>(new byte[] { (byte)i }), tooMany, A);
        }

        Assert.Equal(SiblingSetCodec.MaxSiblings + 1, tooMany.Count);
        Assert.Contains("at most 1024 siblings", Assert.Throws<ArgumentException>(() => SiblingSetCodec.Encode(tooMany)).Message);

        var huge = SiblingSet.Update(SiblingSet.New<ReadOnlyMemory<byte>>(new byte[SiblingSetCodec.MaxBytes]), A);
        Assert.Contains("at most 16777216 bytes", Assert.Throws<ArgumentException>(() => SiblingSetCodec.Encode(huge)).Message);
    }

    [Fact]
    public void The_size_limit_is_the_stores_object_limit()
    {
        Assert.Equal(StorageLimits.MaxObjectBytes, SiblingSetCodec.MaxBytes);
        Assert.Equal(CausalContext.MaxEntries, SiblingSetCodec.MaxEntries);
    }

    [Fact]
    public void Decoded_values_view_the_stored_bytes_without_copying()
    {
        var set = SiblingSet.Update(SiblingSet.New<ReadOnlyMemory<byte>>(new byte[] { 1, 2, 3 }), A);
        var bytes = SiblingSetCodec.Encode(set);
        var value = SiblingSetCodec.Decode(bytes).Values.Single();
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(value, out var segment));
        Assert.Same(bytes, segment.Array);
    }

    private static SiblingSet<ReadOnlyMemory<byte>> ToBytes(ReplicationRun run, int pick, bool anonymous)
    {
        var set = run.Snapshots.Count == 0 ? SiblingSet<int>.Empty : run.Snapshots[pick % run.Snapshots.Count];
        if (anonymous)
        {
            // A client write (dvvset:new/2): one value without a dot.
            set = set.Reconcile(values => values.Sum());
        }

        // Lengths 0..299 exercise one- and two-byte length varints; the content names the write.
        return set.Map(write =>
        {
            var bytes = new byte[(write * 37) % 300];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)(write + i);
            }

            return (ReadOnlyMemory<byte>)bytes;
        });
    }

    private static byte[] Id(ReplicaId id)
    {
        var bytes = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, id.Value);
        return bytes;
    }

    private static string Message(byte[] bytes)
    {
        var error = Assert.IsType<InvalidDataException>(Throws(bytes));
        Assert.StartsWith("The stored sibling set is malformed: ", error.Message);
        return error.Message;
    }

    private static Exception? Throws(ReadOnlyMemory<byte> bytes) => Record.Exception(() => SiblingSetCodec.Decode(bytes));
}
