using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using RingCore.Hashing;

namespace RingCore.Ring;

/// <summary>The gossiped half of <see cref="RingState"/>: its cluster, version vector, transfers, claimant, and how two rings merge.</summary>
public sealed partial class RingState
{
    /// <summary>
    /// The cluster this ring belongs to: a hash of the partition count and the member names of
    /// the ring it descends from. Every ring of one cluster has the same id; a gossiped ring of
    /// another cluster is refused (two clusters on one network never merge by accident).
    /// </summary>
    public ulong ClusterId { get; }

    /// <summary>
    /// The version vector: for each member that changed the ring (the claimant, in practice), how
    /// many changes it made. Rings are ordered by it (<see cref="Supersedes"/>) and merged by it
    /// (<see cref="Reconcile"/>), as riak_core_ring's vclock orders chstates.
    /// </summary>
    public IReadOnlyDictionary<string, long> Vector => _vector;

    /// <summary>Transfers committed and not finished, in partition order (riak_core_ring's <c>next</c>).</summary>
    public ImmutableArray<PendingTransfer> Transfers { get; }

    /// <summary>
    /// The member that decides every change to the ring (riak_core_claimant): the first member
    /// by name whose status is <see cref="MemberStatus.Valid"/>; null when none is.
    /// </summary>
    public string? Claimant
    {
        get
        {
            foreach (var member in _members)
            {
                if (member.Status == MemberStatus.Valid)
                {
                    return member.Name;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Whether this ring should replace <paramref name="other"/> when two nodes compare them: its
    /// vector descends the other's strictly, or, when neither descends the other (two claimants
    /// changed the ring concurrently) or both are equal, it is greater by (version, content
    /// hash). The order is total on distinct rings, so every node picks the same one.
    /// </summary>
    public bool Supersedes(RingState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        bool mine = Dominates(Vector, other.Vector), theirs = Dominates(other.Vector, Vector);
        if (mine != theirs)
        {
            return mine;
        }

        if (Version != other.Version)
        {
            return Version > other.Version;
        }

        return ContentHash > other.ContentHash;
    }

    /// <summary>
    /// Merges two rings of one cluster (riak_core_ring:reconcile): when one descends the other it
    /// wins; when they are concurrent, the one that <see cref="Supersedes"/> the other gives the
    /// content, and the result carries the pointwise maximum of both vectors (so it descends
    /// both and is never merged away by either) and the larger version. Commutative and
    /// idempotent; gossip of the results converges every node on one ring.
    /// </summary>
    /// <exception cref="ArgumentException">The rings belong to different clusters or partition counts.</exception>
    public static RingState Reconcile(RingState first, RingState second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.ClusterId != second.ClusterId || first.PartitionCount != second.PartitionCount)
        {
            throw new ArgumentException(
                $"Rings of different clusters do not merge (cluster {first.ClusterId:x16} of {first.PartitionCount} partitions, cluster {second.ClusterId:x16} of {second.PartitionCount}).",
                nameof(second));
        }

        var winner = first.Supersedes(second) ? first : second;
        var loser = ReferenceEquals(winner, first) ? second : first;
        if (Dominates(winner.Vector, loser.Vector))
        {
            return winner;
        }

        var vector = winner._vector;
        foreach (var (node, counter) in loser.Vector)
        {
            if (counter > vector.GetValueOrDefault(node))
            {
                vector = vector.SetItem(node, counter);
            }
        }

        return new RingState(winner.PartitionCount, winner._members, winner._owners, Math.Max(winner.Version, loser.Version),
            winner.ClusterId, vector, winner.Transfers);
    }

    /// <summary>A hash of everything a ring says (not its vector or version): two rings with equal content hash the same on every node.</summary>
    public ulong ContentHash
    {
        get
        {
            ulong hash = Volatile.Read(ref _contentHash);
            if (hash == 0)
            {
                hash = HashContent() | 1; // never 0, so 0 means "not computed"
                Volatile.Write(ref _contentHash, hash);
            }

            return hash;
        }
    }

    /// <summary>
    /// The ring after a change made by <paramref name="by"/> (the claimant): the given members,
    /// owners (member names per partition) and transfers, in this cluster, with <paramref name="by"/>'s
    /// counter in the vector and the version each one more.
    /// </summary>
    /// <exception cref="ArgumentException">An owner or a transfer's member is not among <paramref name="members"/>, or a member is invalid.</exception>
    public RingState Evolve(string by, IEnumerable<RingMember> members, IReadOnlyList<string> ownerNames, IEnumerable<PendingTransfer> transfers)
    {
        ArgumentException.ThrowIfNullOrEmpty(by);
        var next = FromOwners(PartitionCount, members, ownerNames);
        var pending = CheckTransfers(PartitionCount, next._members, transfers);
        var vector = _vector.SetItem(by, Vector.GetValueOrDefault(by) + 1);
        return new RingState(PartitionCount, next._members, next._owners, Version + 1, ClusterId, vector, pending);
    }

    /// <summary>
    /// Rebuilds a ring from its parts, as a peer gossiped them: validated as any ring is, so a
    /// malformed or hostile message gives an exception, never a ring that breaks routing.
    /// </summary>
    /// <exception cref="ArgumentException">A part is invalid (the message says which).</exception>
    /// <exception cref="ArgumentOutOfRangeException">Invalid partition count or version.</exception>
    public static RingState Restore(int partitionCount, ulong clusterId, long version, IEnumerable<KeyValuePair<string, long>> vector,
        IEnumerable<RingMember> members, IReadOnlyList<string> ownerNames, IEnumerable<PendingTransfer> transfers)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var ring = FromOwners(partitionCount, members, ownerNames, version);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var (node, counter) in vector)
        {
            if (string.IsNullOrEmpty(node) || counter <= 0 || !builder.TryAdd(node, counter))
            {
                throw new ArgumentException($"A ring's version vector has an empty, repeated or non-positive entry ('{node}': {counter}).", nameof(vector));
            }
        }

        var pending = CheckTransfers(partitionCount, ring._members, transfers);
        return new RingState(partitionCount, ring._members, ring._owners, version, clusterId, builder.ToImmutable(), pending);
    }

    /// <summary>The pending transfer of <paramref name="partition"/> of the given kind from <paramref name="from"/>, if there is one.</summary>
    public PendingTransfer? TransferOf(int partition, string from, TransferKind kind)
    {
        foreach (var transfer in Transfers)
        {
            if (transfer.Partition == partition && transfer.Kind == kind && string.Equals(transfer.From, from, StringComparison.Ordinal))
            {
                return transfer;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="member"/> receives an ownership transfer of <paramref name="partition"/> (it will own it).</summary>
    public bool IsIncomingOwner(int partition, string member)
    {
        foreach (var transfer in Transfers)
        {
            if (transfer.Partition == partition && transfer.Kind == TransferKind.Ownership && string.Equals(transfer.To, member, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static ImmutableArray<PendingTransfer> CheckTransfers(int partitionCount, RingMember[] members, IEnumerable<PendingTransfer> transfers)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        var list = transfers.ToList();
        foreach (var transfer in list)
        {
            if ((uint)transfer.Partition >= (uint)partitionCount || !Enum.IsDefined(transfer.Kind)
                || transfer.From is null || transfer.To is null
                || IndexOf(members, transfer.From) < 0 || IndexOf(members, transfer.To) < 0
                || string.Equals(transfer.From, transfer.To, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"A transfer of partition {transfer.Partition} from '{transfer.From}' to '{transfer.To}' ({transfer.Kind}) does not fit a ring of {partitionCount} partitions and members {string.Join(", ", members.Select(m => m.Name))}.",
                    nameof(transfers));
            }
        }

        list.Sort(static (a, b) => a.Partition != b.Partition ? a.Partition.CompareTo(b.Partition)
            : a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind)
            : a.From != b.From ? string.CompareOrdinal(a.From, b.From)
            : string.CompareOrdinal(a.To, b.To));
        for (int i = 1; i < list.Count; i++)
        {
            if (list[i] == list[i - 1])
            {
                throw new ArgumentException($"The transfer of partition {list[i].Partition} from '{list[i].From}' to '{list[i].To}' is listed twice.", nameof(transfers));
            }
        }

        return [.. list];
    }

    private static bool Dominates(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b)
    {
        foreach (var (node, counter) in b)
        {
            if (a.GetValueOrDefault(node) < counter)
            {
                return false;
            }
        }

        return true;
    }

    private static ulong ClusterIdOf(int partitionCount, RingMember[] members)
    {
        var builder = new StringBuilder().Append(partitionCount);
        foreach (var member in members)
        {
            builder.Append('\n').Append(member.Name);
        }

        return XxHash64.Hash(Encoding.UTF8.GetBytes(builder.ToString()));
    }

    private ulong HashContent()
    {
        using var buffer = new MemoryStream();
        var number = new byte[8];
        void Write(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, value);
            buffer.Write(number);
        }

        void WriteName(string name)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            Write(bytes.Length);
            buffer.Write(bytes);
        }

        Write(PartitionCount);
        Write((long)ClusterId);
        Write(_members.Length);
        foreach (var member in _members)
        {
            WriteName(member.Name);
            Write((long)member.Status);
        }

        foreach (int owner in _owners)
        {
            Write(owner);
        }

        Write(Transfers.Length);
        foreach (var transfer in Transfers)
        {
            Write(transfer.Partition);
            WriteName(transfer.From);
            WriteName(transfer.To);
            Write((long)transfer.Kind);
        }

        return XxHash64.Hash(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}
