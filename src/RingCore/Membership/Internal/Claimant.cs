using System.Collections.Immutable;
using RingCore.Claim;
using RingCore.Ring;

namespace RingCore.Membership;

/// <summary>
/// The claimant's decisions (riak_core_claimant): the changes operators stage, the plan they
/// give, the ring a commit makes, and the ring after each finished transfer and each member's
/// exit. Pure apart from the staged changes it keeps: every method takes the current ring and
/// returns the next one (or a reason for refusing), which the caller installs and gossips.
/// </summary>
/// <remarks>
/// A plan starts from the ring as it will be once the transfers in flight have completed, so
/// a change may be staged while an earlier commit's transfers still run. A transfer that the new
/// plan no longer needs is dropped from the ring; its sender stops, and whatever it had sent is
/// handed on by the receiver's handoff like any misplaced object.
/// </remarks>
internal sealed class Claimant
{
    private readonly List<ClusterChange> _staged = [];
    private readonly int _targetN;
    private string? _stagedBy;

    public Claimant(int targetN) => _targetN = targetN;

    /// <summary>The staged changes and who staged them.</summary>
    public (IReadOnlyList<ClusterChange> Changes, string? By) Staged => ([.. _staged], _stagedBy);

    /// <summary>Stages <paramref name="change"/> for <paramref name="operatorName"/>; returns the reason when it is refused.</summary>
    public string? Stage(RingState ring, ClusterChange change, string operatorName, string self)
    {
        // A join is the joining node's request, not an operator's plan: it does not claim the
        // staging area, and another operator's staged changes do not hold it up.
        if (change.Kind != ClusterChangeKind.Join && _stagedBy is not null && _staged.Any(c => c.Kind != ClusterChangeKind.Join)
            && !string.Equals(_stagedBy, operatorName, StringComparison.Ordinal))
        {
            return $"Operator '{_stagedBy}' has staged changes ({string.Join(", ", _staged)}); they must be committed or cleared before '{operatorName}' stages any.";
        }

        string? problem = Check(ring, change, self);
        if (problem is not null)
        {
            return problem;
        }

        if (change.Kind == ClusterChangeKind.Replace)
        {
            _staged.RemoveAll(c => c.Kind == ClusterChangeKind.Join && c.Member == change.Replacement);
        }

        _staged.Add(change);
        if (change.Kind != ClusterChangeKind.Join)
        {
            _stagedBy = operatorName;
        }

        return null;
    }

    /// <summary>Drops every staged change.</summary>
    public void Clear()
    {
        _staged.Clear();
        _stagedBy = null;
    }

    /// <summary>What committing the staged changes would do.</summary>
    public ClusterPlan Plan(RingState ring)
    {
        if (_staged.Count == 0)
        {
            return new ClusterPlan([], null, ring, null, []);
        }

        var (members, owners, transfers) = Next(ring);
        var finalOwners = owners.ToArray();
        foreach (var transfer in transfers.Where(t => t.Kind == TransferKind.Ownership))
        {
            finalOwners[transfer.Partition] = transfer.To;
        }

        var finalMembers = members.Where(m => m.Status == MemberStatus.Valid).ToList();
        var planned = ring.Evolve(_stagedBy ?? "plan", finalMembers, finalOwners, []);
        return new ClusterPlan([.. _staged], _stagedBy, ring, planned, transfers);
    }

    /// <summary>The ring that commits the staged changes, or the reason there is none; clears them on success.</summary>
    public (RingState? Ring, string? Error) Commit(RingState ring, string self)
    {
        if (_staged.Count == 0)
        {
            return (null, "Nothing is staged: stage a join, leave, force-remove or replace first.");
        }

        // The changes were checked when staged; the ring may have moved since (a member exited).
        foreach (var change in _staged)
        {
            string? problem = Check(ring, change, self, staging: false);
            if (problem is not null)
            {
                return (null, $"The staged change '{change}' no longer applies: {problem} Clear the staged changes and stage again.");
            }
        }

        var (members, owners, transfers) = Next(ring);
        var next = ring.Evolve(self, Settle(members, owners, transfers), owners, transfers);
        Clear();
        return (next, null);
    }

    /// <summary>The ring after <paramref name="done"/> finished, or null when the ring does not list it (already recorded, or no longer needed).</summary>
    public static RingState? TransferDone(RingState ring, PendingTransfer done, string self)
    {
        if (!ring.Transfers.Contains(done))
        {
            return null;
        }

        var owners = OwnerNames(ring);
        if (done.Kind == TransferKind.Ownership)
        {
            owners[done.Partition] = done.To;
        }

        var transfers = ring.Transfers.Remove(done);
        return ring.Evolve(self, Settle([.. ring.Members], owners, transfers), owners, transfers);
    }

    /// <summary>The ring without <paramref name="member"/>, which reports it has handed off everything; or the reason it cannot leave yet.</summary>
    public static (RingState? Ring, string? Error) Exited(RingState ring, string member, string self)
    {
        int index = ring.IndexOfMember(member);
        if (index < 0)
        {
            return (null, null); // already gone: the report came twice
        }

        if (ring.Members[index].Status != MemberStatus.Exiting)
        {
            return (null, $"'{member}' is {ring.Members[index].Status}, not exiting: it still owns partitions or has transfers to finish.");
        }

        var members = ring.Members.Where(m => m.Name != member).ToList();
        return (ring.Evolve(self, members, OwnerNames(ring), ring.Transfers), null);
    }

    private string? Check(RingState ring, ClusterChange change, string self, bool staging = true)
    {
        string member = change.Member;
        if (string.IsNullOrEmpty(member))
        {
            return "A change needs a member's name.";
        }

        if (staging && _staged.Any(c => c.Member == member || c.Replacement == member
                || (change.Replacement is not null && (c.Member == change.Replacement || c.Replacement == change.Replacement))))
        {
            var existing = _staged.First(c => c.Member == member || c.Replacement == member || c.Member == change.Replacement || c.Replacement == change.Replacement);
            if (!(change.Kind == ClusterChangeKind.Replace && existing.Kind == ClusterChangeKind.Join && existing.Member == change.Replacement))
            {
                return $"'{existing}' is already staged for that node.";
            }
        }

        int index = ring.IndexOfMember(member);
        string members = string.Join(", ", ring.Members.Select(m => $"{m.Name} ({m.Status})"));
        switch (change.Kind)
        {
            case ClusterChangeKind.Join:
                return index >= 0 ? $"'{member}' is already a member of the ring." : null;

            case ClusterChangeKind.Leave:
            case ClusterChangeKind.ForceRemove:
            case ClusterChangeKind.Replace:
                if (index < 0)
                {
                    return $"'{member}' is not a member of the ring (members: {members}).";
                }

                if (ring.Members[index].Status != MemberStatus.Valid && change.Kind != ClusterChangeKind.ForceRemove)
                {
                    return $"'{member}' is {ring.Members[index].Status}: only a valid member can {(change.Kind == ClusterChangeKind.Leave ? "leave" : "be replaced")}.";
                }

                break;
        }

        if (change.Kind == ClusterChangeKind.ForceRemove && member == self)
        {
            return $"'{member}' is the claimant and up: it cannot force-remove itself. Make it leave, or stop it and force-remove it from another member.";
        }

        if (change.Kind == ClusterChangeKind.Replace)
        {
            string? replacement = change.Replacement;
            if (string.IsNullOrEmpty(replacement))
            {
                return "A replace needs the replacement's name.";
            }

            if (ring.IndexOfMember(replacement) >= 0)
            {
                return $"'{replacement}' is already a member of the ring; a replacement must be a new node that asked to join.";
            }

            if (staging && !_staged.Any(c => c.Kind == ClusterChangeKind.Join && c.Member == replacement))
            {
                return $"'{replacement}' has not asked to join: start it and join it to the cluster first (its join is staged), then stage the replace.";
            }
        }

        if (change.Kind is ClusterChangeKind.Leave or ClusterChangeKind.ForceRemove)
        {
            var departing = _staged.Where(c => c.Kind is ClusterChangeKind.Leave or ClusterChangeKind.ForceRemove).Select(c => c.Member).Append(member).ToHashSet();
            int remaining = ring.Members.Count(m => m.Status == MemberStatus.Valid && !departing.Contains(m.Name))
                + (staging ? _staged.Count(c => c.Kind == ClusterChangeKind.Join) : 0);
            if (remaining < 1)
            {
                return $"'{member}' is the last valid member: a ring needs at least one.";
            }
        }

        return null;
    }

    /// <summary>The members, owners and transfers of the ring that commits the staged changes.</summary>
    private (List<RingMember> Members, string[] Owners, ImmutableArray<PendingTransfer> Transfers) Next(RingState ring)
    {
        var removed = _staged.Where(c => c.Kind == ClusterChangeKind.ForceRemove).Select(c => c.Member).ToHashSet(StringComparer.Ordinal);
        var leaving = _staged.Where(c => c.Kind is ClusterChangeKind.Leave or ClusterChangeKind.Replace).Select(c => c.Member).ToHashSet(StringComparer.Ordinal);
        var joining = _staged.Where(c => c.Kind == ClusterChangeKind.Join).Select(c => c.Member)
            .Concat(_staged.Where(c => c.Kind == ClusterChangeKind.Replace).Select(c => c.Replacement!)).ToList();

        // The ring as it will be when the transfers in flight complete, with each replaced
        // member's partitions given to its replacement: the start of the rebalance.
        var future = OwnerNames(ring);
        foreach (var transfer in ring.Transfers.Where(t => t.Kind == TransferKind.Ownership))
        {
            future[transfer.Partition] = transfer.To;
        }

        foreach (var replace in _staged.Where(c => c.Kind == ClusterChangeKind.Replace))
        {
            for (int p = 0; p < future.Length; p++)
            {
                if (future[p] == replace.Member)
                {
                    future[p] = replace.Replacement!;
                }
            }
        }

        var claiming = ring.Members.Where(m => m.Status == MemberStatus.Valid && !removed.Contains(m.Name) && !leaving.Contains(m.Name))
            .Select(m => m.Name).Concat(joining).ToList();
        var start = RingState.FromOwners(ring.PartitionCount,
            future.Distinct(StringComparer.Ordinal).Concat(claiming).Distinct(StringComparer.Ordinal).Select(n => new RingMember(n, MemberStatus.Valid)),
            future);
        var target = RingClaim.Rebalance(start, claiming, new ClaimOptions { TargetN = _targetN }).Ring;

        var members = ring.Members.Where(m => !removed.Contains(m.Name))
            .Select(m => leaving.Contains(m.Name) ? m with { Status = MemberStatus.Leaving } : m)
            .Concat(joining.Select(name => new RingMember(name, MemberStatus.Valid)))
            .ToList();
        var owners = OwnerNames(ring);
        var transfers = new List<PendingTransfer>();
        for (int p = 0; p < owners.Length; p++)
        {
            string final = target.OwnerMemberOf(p).Name;
            if (removed.Contains(owners[p]))
            {
                owners[p] = final; // nothing can come from a removed member: the new owner is filled by repairs
            }
            else if (owners[p] != final)
            {
                transfers.Add(new PendingTransfer(p, owners[p], final, TransferKind.Ownership));
            }
        }

        // Repairs: the new owner of each partition a removed member owned gets its objects from
        // the owners of the partitions on either side, which between them hold every replica
        // the removed member held for it (see docs/membership.md). Earlier repairs that do not
        // involve a removed member go on.
        int count = owners.Length;
        for (int p = 0; p < count; p++)
        {
            if (!removed.Contains(ring.OwnerMemberOf(p).Name))
            {
                continue;
            }

            foreach (int neighbour in new[] { (p - 1 + count) % count, (p + 1) % count })
            {
                string source = owners[neighbour];
                if (source != owners[p] && !removed.Contains(source))
                {
                    transfers.Add(new PendingTransfer(p, source, owners[p], TransferKind.Repair));
                }
            }
        }

        transfers.AddRange(ring.Transfers.Where(t => t.Kind == TransferKind.Repair && !removed.Contains(t.From) && !removed.Contains(t.To)
            && owners[t.Partition] == t.To));
        return (members, owners, [.. transfers.Distinct()]);
    }

    /// <summary>Marks each leaving member that owns nothing and sends nothing more as exiting.</summary>
    private static List<RingMember> Settle(IEnumerable<RingMember> members, string[] owners, ImmutableArray<PendingTransfer> transfers)
    {
        var owning = owners.ToHashSet(StringComparer.Ordinal);
        return members.Select(m => m.Status == MemberStatus.Leaving && !owning.Contains(m.Name)
                && !transfers.Any(t => t.From == m.Name || t.To == m.Name)
            ? m with { Status = MemberStatus.Exiting }
            : m).ToList();
    }

    private static string[] OwnerNames(RingState ring)
    {
        var owners = new string[ring.PartitionCount];
        for (int p = 0; p < owners.Length; p++)
        {
            owners[p] = ring.OwnerMemberOf(p).Name;
        }

        return owners;
    }
}
