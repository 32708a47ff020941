using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using RingCore.Hashing;

namespace RingCore.Causality;

/// <summary>
/// The id of one vnode incarnation: a node, a partition, and the epoch in which that vnode
/// started with its current data. Clock entries (version vector entries, dots) are keyed by
/// replica ids, never by client ids: the number of ids in a clock is then bounded by the
/// replicas that ever coordinated a write to the key, which is what keeps siblings and clocks
/// small (Preguiça et al., "Dotted Version Vectors: Logical Clocks for Optimistic Replication",
/// 2010; riak_kv's vnode_vclocks).
/// </summary>
/// <remarks>
/// A vnode that lost its data (a wiped disk, a store that did not survive a crash) must start a
/// new epoch, which gives it a new id. Were it to reuse the old id, its counter would restart
/// at 1 and issue dots that other replicas already hold for different values, so new writes
/// would be silently taken for old, already-seen ones and dropped: riak_kv's issue 679
/// ("KV679"), which riak_kv fixed by giving each vnode incarnation a fresh id.
/// The id is a 64-bit XxHash64; two distinct incarnations collide with probability about
/// n^2 / 2^65 for n incarnations, below one in ten million for a million of them.
/// </remarks>
/// <param name="Value">The 64-bit id, as written in clocks and causal contexts.</param>
public readonly record struct ReplicaId(ulong Value) : IComparable<ReplicaId>
{
    // Prefix of the hashed encoding: keeps replica ids apart from every other XxHash64 use
    // (key routing hashes raw key bytes) and names the encoding's version.
    private static ReadOnlySpan<byte> Domain => "ringcore.replica.v1"u8;

    // Node names longer than this are refused: they are host names or short labels, and the
    // bound keeps the stack buffer below small. A ring refuses such a member already.
    private const int MaxNodeNameBytes = Ring.RingMember.MaxNameBytes;

    /// <summary>
    /// The id of the vnode of <paramref name="partition"/> on <paramref name="node"/> in
    /// <paramref name="epoch"/>. The same three parts give the same id on every node and in
    /// every process; a different epoch gives a different id.
    /// </summary>
    /// <param name="node">The node's name; 1 to 1024 bytes of UTF-8.</param>
    /// <param name="partition">The partition index, zero or more.</param>
    /// <param name="epoch">The incarnation: bump it whenever the vnode starts without its previous data.</param>
    /// <exception cref="ArgumentException">The node name is empty, white space or longer than 1024 UTF-8 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The partition is negative.</exception>
    public static ReplicaId Create(string node, int partition, ulong epoch)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        int nodeBytes = Encoding.UTF8.GetByteCount(node);
        if (nodeBytes > MaxNodeNameBytes)
        {
            throw new ArgumentException(
                $"A node name must be at most {MaxNodeNameBytes} UTF-8 bytes (got {nodeBytes}).", nameof(node));
        }

        // Unambiguous: domain, then the node name with its length in front (so no name is a
        // prefix of another's encoding), then the two fixed-width numbers.
        Span<byte> buffer = stackalloc byte[Domain.Length + sizeof(int) + MaxNodeNameBytes + sizeof(int) + sizeof(ulong)];
        Domain.CopyTo(buffer);
        int offset = Domain.Length;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(offset), nodeBytes);
        offset += sizeof(int);
        offset += Encoding.UTF8.GetBytes(node, buffer.Slice(offset));
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(offset), partition);
        offset += sizeof(int);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.Slice(offset), epoch);
        offset += sizeof(ulong);
        return new ReplicaId(XxHash64.Hash(buffer.Slice(0, offset)));
    }

    /// <summary>Orders ids by their 64-bit value, the order clocks keep their entries in.</summary>
    public int CompareTo(ReplicaId other) => Value.CompareTo(other.Value);

    /// <summary>The id as 16 lower-case hex digits.</summary>
    public override string ToString() => Value.ToString("x16", CultureInfo.InvariantCulture);
}
