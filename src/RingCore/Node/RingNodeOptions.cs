using RingCore.Actors;
using RingCore.AntiEntropy;
using RingCore.Claim;
using RingCore.Handoff;
using RingCore.Membership;
using RingCore.Replication;
using RingCore.Transport;

namespace RingCore.Node;

/// <summary>
/// Settings of a node: its name and ring, and one options object per concern (actors,
/// replication, the peer request layer, failure detection). Bound from the <c>RingCore</c> configuration section
/// by <c>AddRingCore</c>; <see cref="Validate"/> names the first bad setting.
/// </summary>
public sealed class RingNodeOptions
{
    /// <summary>This node's name in the ring. Defaults to "local".</summary>
    public string NodeName { get; set; } = "local";

    /// <summary>Q, the number of partitions (a power of two from 8 to 65536). Defaults to 64.</summary>
    public int PartitionCount { get; set; } = 64;

    /// <summary>
    /// The ring's target_n: the largest N a bucket may use, and the window in which claim keeps
    /// a member from owning two partitions. Defaults to 4 (riak_core's target_n_val).
    /// </summary>
    public int TargetN { get; set; } = ClaimOptions.Default.TargetN;

    /// <summary>
    /// How long a stop (<see cref="RingNode.StopAsync"/>, <see cref="RingNode.DisposeAsync"/>) waits
    /// for actors to drain their queued messages and store their state before it gives up on the
    /// ones left, reports them, and closes the stores. Defaults to 30 seconds; infinite
    /// (<see cref="Timeout.InfiniteTimeSpan"/>, -1 ms) waits for every actor.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The file where the node keeps its ring (riak_core's ring_state_dir): written after every
    /// change of the ring, atomically, so that a process restarted after a stop or a crash can
    /// start from it (<see cref="RingFile.Load"/>) in the cluster it was in. Null (the default):
    /// the ring is not kept, as for a node embedded in tests.
    /// </summary>
    public string? RingFile { get; set; }

    /// <summary>The actor runtime's settings.</summary>
    public ActorRuntimeOptions Actors { get; set; } = new();

    /// <summary>The replicated store's settings.</summary>
    public ReplicationOptions Replication { get; set; } = new();

    /// <summary>The node-to-node request layer's settings.</summary>
    public PeerRpcOptions Peers { get; set; } = new();

    /// <summary>Ring gossip and the claimant's settings.</summary>
    public MembershipOptions Membership { get; set; } = new();

    /// <summary>Ownership and hinted handoff's settings.</summary>
    public HandoffOptions Handoff { get; set; } = new();

    /// <summary>Active anti-entropy's settings: Merkle trees per vnode and their exchanges.</summary>
    public AntiEntropyOptions AntiEntropy { get; set; } = new();

    /// <summary>How the node decides which members are up: heartbeats and a phi-accrual failure detector by default.</summary>
    public FailureDetectionOptions FailureDetection { get; set; } = new();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting (its configuration path, e.g. <c>RingCore:Actors:TurnMessageLimit</c>).</summary>
    public void Validate()
    {
        var problem = RingNodeOptionsRules.FirstProblem(this);
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }
    }
}
