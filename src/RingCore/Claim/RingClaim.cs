using System.Collections.Immutable;
using RingCore.Ring;

namespace RingCore.Claim;

/// <summary>
/// The claim algorithm: which member owns which partition. It keeps three promises, in this
/// order: balance (every claiming member owns floor(Q/M) or ceil(Q/M) partitions), diversity (no
/// member owns two partitions within any target_n consecutive partitions, wrapping, whenever at
/// least target_n members claim) and minimal movement (a change moves only what balance needs,
/// plus what diversity needs, and says so in the result). It is deterministic: the same ring and
/// member names give the same owners on every node. Pure: no I/O, clocks or randomness.
/// </summary>
/// <remarks>
/// Compare riak_core_claim (claim_v2, which left rings unbalanced or undiverse in corner cases)
/// and riak_core_claim_swapping (Riak 3.0, a swap search that could take minutes on large rings).
/// Here the fresh layout is a construction with a proven spacing (<see cref="SequentialClaim"/>)
/// and a change is a bounded greedy pass plus swaps, linear in Q for a fixed member count.
/// </remarks>
public static class RingClaim
{
    /// <summary>Lays out a new ring of <paramref name="partitionCount"/> partitions over <paramref name="members"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Invalid ring size or target_n.</exception>
    /// <exception cref="ArgumentException">No members, or a duplicate or empty name.</exception>
    public static ClaimResult Initial(int partitionCount, IEnumerable<string> members, ClaimOptions? options = null)
    {
        PartitionMath.ValidatePartitionCount(partitionCount);
        options ??= ClaimOptions.Default;
        options.Validate(partitionCount);
        var sorted = RingState.SortedMembers(AsValidMembers(members));
        int spacing = SpacingFor(options, sorted.Length);
        var board = new ClaimBoard(SequentialClaim.Build(partitionCount, sorted.Length, spacing), sorted.Length, spacing);
        bool diversityPossible = sorted.Length >= options.TargetN;

        // The construction's spacing reaches its target in every case we know of; the repair is a safety net.
        DiversityRepair.Run(board, new int[partitionCount]);

        var ring = RingState.FromSortedMembers(partitionCount, sorted, board.Owners, version: 1);
        return new ClaimResult(ring, ImmutableArray<PartitionTransfer>.Empty, 0, board.CountViolations(), diversityPossible, rebuilt: false);
    }

    /// <summary>
    /// Rebalances <paramref name="current"/> so that exactly <paramref name="members"/> own its
    /// partitions: members not in the set give all theirs away, new names receive a fair share.
    /// Members that stay keep their status; new ones are <see cref="MemberStatus.Valid"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No members, or a duplicate or empty name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Invalid target_n for this ring.</exception>
    public static ClaimResult Rebalance(RingState current, IEnumerable<string> members, ClaimOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        options ??= ClaimOptions.Default;
        options.Validate(current.PartitionCount);
        var sorted = RingState.SortedMembers(AsValidMembers(members));
        for (int i = 0; i < sorted.Length; i++)
        {
            int existing = current.IndexOfMember(sorted[i].Name);
            if (existing >= 0)
            {
                sorted[i] = current.Members[existing];
            }
        }

        int[] owners = IncrementalClaim.Run(current, sorted, SpacingFor(options, sorted.Length), out int minimumMoves, out bool rebuilt);
        var ring = current.Derive(sorted, owners);
        var transfers = ImmutableArray.CreateBuilder<PartitionTransfer>();
        for (int partition = 0; partition < owners.Length; partition++)
        {
            string from = current.OwnerMemberOf(partition).Name;
            string to = sorted[owners[partition]].Name;
            if (!string.Equals(from, to, StringComparison.Ordinal))
            {
                transfers.Add(new PartitionTransfer(partition, from, to));
            }
        }

        return new ClaimResult(ring, transfers.ToImmutable(), minimumMoves,
            ClaimBoard.CountViolations(owners, options.TargetN), sorted.Length >= options.TargetN, rebuilt);
    }

    /// <summary>Adds <paramref name="joining"/> to the ring's members and rebalances.</summary>
    /// <exception cref="ArgumentException">A joining name is already a member, or is listed twice.</exception>
    public static ClaimResult Join(RingState current, IEnumerable<string> joining, ClaimOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(joining);
        var names = current.Members.Select(m => m.Name).ToList();
        foreach (string name in joining)
        {
            if (name is not null && current.IndexOfMember(name) >= 0)
            {
                throw new ArgumentException($"'{name}' is already a member of the ring.", nameof(joining));
            }

            names.Add(name!);
        }

        return Rebalance(current, names, options);
    }

    /// <summary>Removes <paramref name="leaving"/> from the ring's members and rebalances.</summary>
    /// <exception cref="ArgumentException">A leaving name is not a member, or no member would remain.</exception>
    public static ClaimResult Leave(RingState current, IEnumerable<string> leaving, ClaimOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(leaving);
        var departing = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in leaving)
        {
            current.RequireMember(name);
            departing.Add(name);
        }

        var names = current.Members.Select(m => m.Name).Where(n => !departing.Contains(n)).ToList();
        if (names.Count == 0)
        {
            throw new ArgumentException("The last member cannot leave: a ring needs at least one member.", nameof(leaving));
        }

        return Rebalance(current, names, options);
    }

    /// <summary>
    /// The spacing claim keeps: target_n, or with fewer members than that every member (3 members
    /// and target_n 4: no member twice within 3 consecutive partitions, so that a preference list
    /// of N = 3 lands on 3 members wherever the ring's size allows). Without it a ring of 3 had a
    /// member own 3 partitions in a row, and its keys' N = 3 replicas were one node.
    /// </summary>
    private static int SpacingFor(ClaimOptions options, int members) => Math.Max(1, Math.Min(options.TargetN, members));

    private static IEnumerable<RingMember> AsValidMembers(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return names.Select(name => new RingMember(name, MemberStatus.Valid));
    }
}
