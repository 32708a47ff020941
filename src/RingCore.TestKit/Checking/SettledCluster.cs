using RingCore.Ring;

namespace RingCore.TestKit.Checking;

/// <summary>
/// What the cluster of a membership run looked like once it had settled: the ring every node
/// holds, what nodes hold that they should not, and where actors are active.
/// </summary>
internal sealed class SettledCluster
{
    /// <summary>Why the cluster did not settle in time (<see cref="TestCluster.AwaitSettledAsync"/>'s message); null when it did.</summary>
    public string? NotSettled { get; set; }

    /// <summary>The ring the final reads routed by (<see cref="TestCluster.Ring"/>); null when no node of the cluster was up.</summary>
    public RingState? Ring { get; set; }

    /// <summary>The cluster's target_n: with at least this many members, claim promises diversity.</summary>
    public int TargetN { get; set; }

    /// <summary>The ring each node of the cluster holds: every up node that is a member, or holds a ring of the cluster.</summary>
    public Dictionary<string, RingState> Rings { get; } = new(StringComparer.Ordinal);

    /// <summary>Up nodes outside the cluster: started for a join that was refused, alone in a ring of their own.</summary>
    public List<string> Strays { get; } = [];

    /// <summary>Objects nodes hold that their ring says they should not (<see cref="TestCluster.MisplacedObjectsAsync"/>).</summary>
    public List<string> Misplaced { get; } = [];

    /// <summary>Per actor key: the nodes where it is active after the probe.</summary>
    public Dictionary<string, IReadOnlyList<string>> Activations { get; } = new(StringComparer.Ordinal);
}
