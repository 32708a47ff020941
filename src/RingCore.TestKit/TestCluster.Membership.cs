using RingCore.Claim;
using RingCore.Membership;
using RingCore.Node;
using RingCore.Ring;

namespace RingCore.TestKit;

/// <summary>Membership changes on the test cluster: joins, leaves, force-removes and replaces, each staged and committed through a member that is up (riak-admin cluster join, plan, commit).</summary>
public sealed partial class TestCluster
{
    /// <summary>
    /// Starts each of <paramref name="names"/> as a new node, alone, with empty stores, has it ask
    /// a member to join (<see cref="RingNode.JoinAsync"/>), and commits the joins (riak-admin
    /// cluster join, plan, commit). Transfers then run; <see cref="AwaitSettledAsync"/> waits for them.
    /// </summary>
    /// <returns>The plan that was committed.</returns>
    public async Task<ClusterPlan> JoinAsync(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        string seed = UpMember();
        foreach (var name in names)
        {
            await StartAlone(name).JoinAsync(seed).ConfigureAwait(false);
        }

        return await CommitAsync().ConfigureAwait(false);
    }

    /// <summary>Stages a leave of <paramref name="name"/> and commits it; it hands off its partitions, then exits (see <see cref="AwaitSettledAsync"/>).</summary>
    public Task<ClusterPlan> LeaveAsync(string name) => StageAndCommitAsync(new ClusterChange(ClusterChangeKind.Leave, name));

    /// <summary>Stages a force-remove of <paramref name="name"/> (normally crashed) and commits it: its partitions are reassigned and filled from the other replicas.</summary>
    public Task<ClusterPlan> ForceRemoveAsync(string name) => StageAndCommitAsync(new ClusterChange(ClusterChangeKind.ForceRemove, name));

    /// <summary>Starts <paramref name="replacement"/> as a new node, has it ask to join, and commits a replace of <paramref name="name"/> by it.</summary>
    public async Task<ClusterPlan> ReplaceAsync(string name, string replacement)
    {
        var node = StartAlone(replacement);
        await node.JoinAsync(UpMember()).ConfigureAwait(false);
        return await StageAndCommitAsync(new ClusterChange(ClusterChangeKind.Replace, name, replacement)).ConfigureAwait(false);
    }

    /// <summary>Starts <paramref name="name"/> as a new node with fresh storage, alone in a ring of its own, ready to join.</summary>
    private RingNode StartAlone(string name)
    {
        lock (_lock)
        {
            if (_nodes.ContainsKey(name) && !_left.Contains(name))
            {
                throw new InvalidOperationException($"'{name}' is already a node of the cluster.");
            }

            _left.Remove(name);
            _stores[name] = _storage(name);
            return Start(name, RingClaim.Initial(InitialRing.PartitionCount, [name]).Ring);
        }
    }

    private async Task<ClusterPlan> StageAndCommitAsync(ClusterChange change)
    {
        var node = Node(UpMember());
        await node.StageAsync(change).ConfigureAwait(false);
        return await CommitAsync().ConfigureAwait(false);
    }

    private async Task<ClusterPlan> CommitAsync()
    {
        var node = Node(UpMember());
        var plan = await node.PlanAsync().ConfigureAwait(false);
        await node.CommitAsync().ConfigureAwait(false);
        return plan;
    }

    /// <summary>The first member by name that is up, has not left, and holds the cluster's ring (a member just admitted may not have received it yet).</summary>
    private string UpMember()
    {
        var ring = Ring;
        lock (_lock)
        {
            foreach (var member in ring.Members)
            {
                if (_nodes.TryGetValue(member.Name, out var node) && !_crashed.Contains(member.Name) && !_left.Contains(member.Name)
                    && member.Status == MemberStatus.Valid && node.Ring.ClusterId == ring.ClusterId)
                {
                    return member.Name;
                }
            }
        }

        throw new InvalidOperationException("No valid member of the cluster is up.");
    }
}
