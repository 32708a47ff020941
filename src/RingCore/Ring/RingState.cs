using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using RingCore.Hashing;

namespace RingCore.Ring;

/// <summary>
/// An immutable ring: Q partitions, the member that owns each, the members with their status,
/// the transfers in progress, and a version vector. It plays the part of riak_core_ring's
/// <c>chstate</c>: a value that is gossiped, merged (<see cref="Reconcile"/>) and replaced, never
/// edited in place. Members are kept sorted by name (ordinal) so the same membership gives the
/// same member indexes on every node.
/// </summary>
public sealed partial class RingState
{
    private static readonly ImmutableSortedDictionary<string, long> NoVector =
        ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal);

    private readonly int[] _owners;
    private readonly RingMember[] _members;
    private readonly int _shift;
    private readonly ImmutableSortedDictionary<string, long> _vector;
    private ulong _contentHash;

    private RingState(int partitionCount, RingMember[] members, int[] owners, long version, ulong clusterId,
        ImmutableSortedDictionary<string, long> vector, ImmutableArray<PendingTransfer> transfers)
    {
        PartitionCount = partitionCount;
        _members = members;
        _owners = owners;
        _shift = PartitionMath.ShiftFor(partitionCount);
        Version = version;
        Members = ImmutableArray.Create(members);
        ClusterId = clusterId;
        _vector = vector;
        Transfers = transfers;
    }

    private RingState(int partitionCount, RingMember[] members, int[] owners, long version)
        : this(partitionCount, members, owners, version, ClusterIdOf(partitionCount, members), NoVector, ImmutableArray<PendingTransfer>.Empty)
    {
    }

    /// <summary>Q, the number of partitions: a power of two from 8 to 65536, fixed for the ring's life.</summary>
    public int PartitionCount { get; }

    /// <summary>Increases by one with every change to ownership or membership.</summary>
    public long Version { get; }

    /// <summary>The members, sorted by name; owners refer to them by index into this array.</summary>
    public ImmutableArray<RingMember> Members { get; }

    /// <summary>The owner of each partition, as an index into <see cref="Members"/>.</summary>
    public ReadOnlySpan<int> Owners => _owners;

    /// <summary>
    /// Builds a ring from an explicit ownership: <paramref name="ownerNames"/>[p] names the member
    /// that owns partition p. Every owner must be one of <paramref name="members"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Q is not a power of two from 8 to 65536.</exception>
    /// <exception cref="ArgumentException">No members, a duplicate or empty name, a partition count that
    /// does not match, or an owner that is not a member.</exception>
    public static RingState FromOwners(int partitionCount, IEnumerable<RingMember> members,
        IReadOnlyList<string> ownerNames, long version = 1)
    {
        PartitionMath.ValidatePartitionCount(partitionCount);
        ArgumentNullException.ThrowIfNull(ownerNames);
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        var sorted = SortedMembers(members);
        if (ownerNames.Count != partitionCount)
        {
            throw new ArgumentException(
                $"A ring of {partitionCount} partitions needs {partitionCount} owners (got {ownerNames.Count}).",
                nameof(ownerNames));
        }

        var owners = new int[partitionCount];
        for (int partition = 0; partition < partitionCount; partition++)
        {
            int index = IndexOf(sorted, ownerNames[partition]);
            if (index < 0)
            {
                throw new ArgumentException(
                    $"Partition {partition} is owned by '{ownerNames[partition]}', which is not a member of the ring.",
                    nameof(ownerNames));
            }

            owners[partition] = index;
        }

        return new RingState(partitionCount, sorted, owners, version);
    }

    /// <summary>Builds a ring from owners given as indexes into an already sorted, validated member array.</summary>
    internal static RingState FromSortedMembers(int partitionCount, RingMember[] sortedMembers, int[] owners, long version)
    {
        Debug.Assert(owners.Length == partitionCount, "every partition has exactly one owner");
        Debug.Assert(Array.TrueForAll(owners, o => (uint)o < (uint)sortedMembers.Length), "owners index the member array");
        return new RingState(partitionCount, sortedMembers, owners, version);
    }

    /// <summary>A ring of the same cluster and version vector with the given members and owners, no transfers, and the version one more (a claim's result).</summary>
    internal RingState Derive(RingMember[] sortedMembers, int[] owners)
    {
        Debug.Assert(owners.Length == PartitionCount, "every partition has exactly one owner");
        return new RingState(PartitionCount, sortedMembers, owners, Version + 1, ClusterId, _vector, ImmutableArray<PendingTransfer>.Empty);
    }

    /// <summary>The partition that holds a 64-bit ring position: its top log2(Q) bits.</summary>
    public int PartitionOf(ulong position) => (int)(position >> _shift);

    /// <summary>The partition of a key: XxHash64 of its bytes, then the top log2(Q) bits.</summary>
    public int PartitionOfKey(ReadOnlySpan<byte> key) => (int)(XxHash64.Hash(key) >> _shift);

    /// <summary>The index in <see cref="Members"/> of the member that owns <paramref name="partition"/>.</summary>
    public int OwnerOf(int partition)
    {
        if ((uint)partition >= (uint)_owners.Length)
        {
            ThrowPartitionOutOfRange(partition);
        }

        return _owners[partition];
    }

    /// <summary>The member that owns <paramref name="partition"/>.</summary>
    public RingMember OwnerMemberOf(int partition) => _members[OwnerOf(partition)];

    /// <summary>The index of the member named <paramref name="name"/>, or -1 when it is not a member.</summary>
    public int IndexOfMember(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return IndexOf(_members, name);
    }

    /// <summary>The index of the member named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No member has that name.</exception>
    public int RequireMember(string name)
    {
        int index = IndexOfMember(name);
        if (index < 0)
        {
            throw new ArgumentException(
                $"'{name}' is not a member of the ring (members: {string.Join(", ", _members.Select(m => m.Name))}).",
                nameof(name));
        }

        return index;
    }

    /// <summary>How many partitions each member owns, indexed like <see cref="Members"/>.</summary>
    public int[] CountOwnedPartitions()
    {
        var counts = new int[_members.Length];
        foreach (int owner in _owners)
        {
            counts[owner]++;
        }

        return counts;
    }

    /// <summary>A ring with the status of <paramref name="name"/> changed and the version increased.</summary>
    public RingState WithMemberStatus(string name, MemberStatus status)
    {
        RequireDefined(status, nameof(status));
        int index = RequireMember(name);
        var members = (RingMember[])_members.Clone();
        members[index] = members[index] with { Status = status };
        return new RingState(PartitionCount, members, _owners, Version + 1, ClusterId, _vector, Transfers);
    }

    internal static RingMember[] SortedMembers(IEnumerable<RingMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var sorted = members.ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("A ring needs at least one member.", nameof(members));
        }

        foreach (var member in sorted)
        {
            if (member is null || string.IsNullOrWhiteSpace(member.Name))
            {
                throw new ArgumentException("Member names must be non-empty.", nameof(members));
            }

            int nameBytes = Encoding.UTF8.GetByteCount(member.Name);
            if (nameBytes > RingMember.MaxNameBytes)
            {
                // The name itself is not quoted: at this length it would bury the message.
                throw new ArgumentException(
                    $"Member names must be at most {RingMember.MaxNameBytes} UTF-8 bytes (got {nameBytes}, a name starting '{member.Name[..16]}').", nameof(members));
            }

            RequireDefined(member.Status, nameof(members));
        }

        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (int i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i - 1].Name, sorted[i].Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Member '{sorted[i].Name}' is listed more than once.", nameof(members));
            }
        }

        return sorted;
    }

    private static void RequireDefined(MemberStatus status, string parameter)
    {
        if (!Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(parameter, status, "A member's status must be Joining, Valid, Leaving, Exiting or Down.");
        }
    }

    private static int IndexOf(RingMember[] sortedMembers, string name)
    {
        int low = 0, high = sortedMembers.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            int order = string.CompareOrdinal(sortedMembers[middle].Name, name);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    private void ThrowPartitionOutOfRange(int partition) =>
        throw new ArgumentOutOfRangeException(nameof(partition), partition,
            $"Partition must be from 0 to {PartitionCount - 1} in a ring of {PartitionCount}.");
}
