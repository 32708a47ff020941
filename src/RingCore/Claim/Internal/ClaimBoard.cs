using System.Diagnostics;

namespace RingCore.Claim;

/// <summary>
/// The mutable working copy of an ownership table while a claim is computed: owners as member
/// indexes (-1 for a partition nobody owns yet) with per-member counts kept in step. Claim is a
/// pure function; this board never leaves it.
/// </summary>
internal sealed class ClaimBoard
{
    private readonly int[] _owners;
    private readonly int[] _counts;
    private readonly int _mask;
    private readonly int _reach;

    public ClaimBoard(int[] owners, int memberCount, int targetN)
    {
        Debug.Assert((owners.Length & (owners.Length - 1)) == 0, "Q is a power of two, so wrapping is a mask");
        _owners = owners;
        _counts = new int[memberCount];
        _mask = owners.Length - 1;

        // A member may not appear again within target_n - 1 steps either side. In a tiny ring the
        // window can wrap onto the partition itself, which never counts against it.
        _reach = Math.Min(targetN - 1, owners.Length - 1);
        foreach (int owner in owners)
        {
            if (owner >= 0)
            {
                _counts[owner]++;
            }
        }
    }

    public int PartitionCount => _owners.Length;

    public int MemberCount => _counts.Length;

    /// <summary>The diversity window (target_n, or Q in a ring smaller than it).</summary>
    public int TargetN => _reach + 1;

    public int[] Owners => _owners;

    public int OwnerOf(int partition) => _owners[partition];

    public int CountOf(int member) => _counts[member];

    public void Assign(int partition, int member)
    {
        int previous = _owners[partition];
        if (previous >= 0)
        {
            _counts[previous]--;
        }

        _owners[partition] = member;
        if (member >= 0)
        {
            _counts[member]++;
        }
    }

    /// <summary>Whether <paramref name="member"/> owns no partition within target_n - 1 of <paramref name="partition"/> (other than it).</summary>
    public bool CanPlace(int member, int partition)
    {
        for (int distance = 1; distance <= _reach; distance++)
        {
            int after = (partition + distance) & _mask;
            int before = (partition - distance) & _mask;
            if ((_owners[after] == member && after != partition) || (_owners[before] == member && before != partition))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the owner of <paramref name="partition"/> also owns a partition within target_n - 1 of it.</summary>
    public bool HasConflict(int partition)
    {
        int owner = _owners[partition];
        return owner >= 0 && !CanPlace(owner, partition);
    }

    /// <summary>Pairs (p, p + d), 1 &lt;= d &lt; target_n, with the same owner.</summary>
    public int CountViolations() => CountViolations(_owners, _reach + 1);

    public static int CountViolations(ReadOnlySpan<int> owners, int targetN)
    {
        int mask = owners.Length - 1;
        int reach = Math.Min(targetN - 1, owners.Length - 1);
        int violations = 0;
        for (int partition = 0; partition < owners.Length; partition++)
        {
            int owner = owners[partition];
            for (int distance = 1; distance <= reach; distance++)
            {
                if (owner >= 0 && owners[(partition + distance) & mask] == owner)
                {
                    violations++;
                }
            }
        }

        return violations;
    }
}
