using RingCore.Membership;
using RingCore.Ring;

namespace RingCore.Node;

/// <summary>Cluster membership on a node (riak-admin cluster join, leave, force-remove, replace, plan, commit, clear).</summary>
public sealed partial class RingNode
{
    /// <summary>
    /// Whether this node has left the ring: it exited after a leave (or a replace) handed off
    /// everything it held, or it was force-removed. A node that left serves nothing for the
    /// cluster any more; stop it.
    /// </summary>
    public bool HasLeftRing => _membership.HasLeft;

    /// <summary>Ownership transfers and repairs this node is sending now.</summary>
    public int RunningTransfers => _handoff.RunningTransfers;

    /// <summary>The member this node sends membership requests to: the claimant (the first valid member by name), or the next valid one it sees up when the claimant is down.</summary>
    public string? Claimant => _membership.ActingClaimant;

    /// <summary>
    /// Asks to join the cluster of <paramref name="seedNode"/> (any member): the claimant stages
    /// this node's join, and the next <see cref="CommitAsync"/> admits it, after which it claims
    /// its share of partitions through ownership transfers. This node must be alone (a one-member
    /// ring of the same partition count) and on the cluster's network.
    /// </summary>
    /// <exception cref="ClusterChangeRefusedException">This node is in a cluster already, the ring sizes differ, or the claimant refused (the message says why).</exception>
    /// <exception cref="TimeoutException">The seed or the claimant did not answer within <see cref="MembershipOptions.RequestTimeout"/>.</exception>
    /// <exception cref="ArgumentException">The seed is unknown to the network.</exception>
    public Task JoinAsync(string seedNode, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(seedNode);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _membership.JoinAsync(seedNode, Name, cancellationToken);
    }

    /// <summary>
    /// Stages a leave, force-remove or replace at the claimant (a join is staged by the joining
    /// node's <see cref="JoinAsync"/>) and returns the plan of everything staged. Nothing changes
    /// until <see cref="CommitAsync"/>.
    /// </summary>
    /// <param name="change">The change.</param>
    /// <param name="operatorName">Who stages; while one operator's changes are staged, another's are refused. This node's name when null.</param>
    /// <param name="cancellationToken">Stops waiting for the claimant.</param>
    /// <exception cref="ClusterChangeRefusedException">The change is invalid (an unknown node, the last member leaving, another operator's changes staged...); the message says why.</exception>
    /// <exception cref="TimeoutException">The claimant did not answer in time.</exception>
    public Task<ClusterPlan> StageAsync(ClusterChange change, string? operatorName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _membership.StageAsync(change, operatorName ?? Name, cancellationToken);
    }

    /// <summary>What committing the staged changes would do: the ring once every transfer completed, and the transfers (claim's minimal-movement result).</summary>
    /// <exception cref="TimeoutException">The claimant did not answer in time.</exception>
    public Task<ClusterPlan> PlanAsync(string? operatorName = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _membership.PlanAsync(operatorName ?? Name, cancellationToken);
    }

    /// <summary>
    /// Commits the staged changes: the claimant installs the ring with the new members and the
    /// pending transfers, and gossips it. Partitions change owner one by one, each after its
    /// transfer completed.
    /// </summary>
    /// <returns>The ring the claimant installed.</returns>
    /// <exception cref="ClusterChangeRefusedException">Nothing is staged, a staged change no longer applies, or the claimant reaches no majority of the members (a partition, members down).</exception>
    /// <exception cref="TimeoutException">The claimant did not answer in time.</exception>
    public Task<RingState> CommitAsync(string? operatorName = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _membership.CommitAsync(operatorName ?? Name, cancellationToken);
    }

    /// <summary>Drops every staged change (any operator may).</summary>
    /// <exception cref="TimeoutException">The claimant did not answer in time.</exception>
    public Task ClearAsync(string? operatorName = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _membership.ClearAsync(operatorName ?? Name, cancellationToken);
    }

    /// <summary>The primaries of a bucket's key by this node's ring (for tests): the owners of its partition and the next N - 1.</summary>
    internal IReadOnlyList<string> PrimariesOf(string bucket, string key)
    {
        var view = _routing.Current;
        int partition = _replication.PartitionOf(view, bucket, System.Text.Encoding.UTF8.GetBytes(key));
        int n = _replication.PropertiesOf(bucket).N;
        return [.. Enumerable.Range(0, n).Select(i => view.PrimaryOf(partition, i)).Distinct()];
    }

    /// <summary>The objects this node holds that it should not (for tests): (partition, store key), by its ring and their buckets' N.</summary>
    internal Task<List<(int Partition, byte[] Key)>> MisplacedAsync(bool deliverableOnly = false) => _handoff.FindMisplacedAsync(deliverableOnly);
}
