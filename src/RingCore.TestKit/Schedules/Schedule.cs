using System.Text;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// A fault schedule (issue 5): client operations from several clients interleaved with
/// partitions, crashes, restarts, a wiped disk and a misbehaving network, on a cluster of
/// <see cref="Nodes"/> nodes. The seed drives the cluster's network and scheduling, so the same
/// schedule and seed replay the same run.
/// </summary>
/// <param name="Seed">Seeds the simulated network, the scheduler's interleaving and the nodes' ids.</param>
/// <param name="Nodes">Cluster size at the start (nodes n1 .. nN; nodes that join later are named on from there).</param>
/// <param name="Clients">How many clients issue operations.</param>
/// <param name="Steps">The steps, in start order.</param>
public sealed record Schedule(int Seed, int Nodes, int Clients, IReadOnlyList<ScheduleStep> Steps)
{
    /// <summary>
    /// Whether the run is a membership run (the shape had <see cref="ScheduleShape.Membership"/>):
    /// it settles the cluster after the schedule and reads the final state from the primaries
    /// only, even when shrinking removed every membership change.
    /// </summary>
    public bool Membership { get; init; }

    /// <summary>
    /// Whether the run is an anti-entropy run (the shape had <see cref="ScheduleShape.AntiEntropy"/>):
    /// after the schedule it does no repair reads and waits for anti-entropy to converge every
    /// key's primaries, even when shrinking removed the store damage.
    /// </summary>
    public bool AntiEntropy { get; init; }

    /// <summary>Client operations in the schedule.</summary>
    public int Operations => Steps.Count(step => !step.IsFault);

    /// <summary>Faults in the schedule (network changes and store damage included, membership changes not).</summary>
    public int Faults => Steps.Count(step => step.IsFault && !step.IsMembership);

    /// <summary>Membership changes in the schedule (joins, leaves, force-removes, replaces).</summary>
    public int MembershipChanges => Steps.Count(step => step.IsMembership);

    /// <summary>Whether any step splits the network or crashes a node (actors may then have two activations at once).</summary>
    public bool SplitsOrCrashes => Steps.Any(step => step.Kind is StepKind.Partition or StepKind.Crash or StepKind.Wipe);

    /// <summary>The same schedule without the steps at <paramref name="indexes"/> (how a failing schedule shrinks).</summary>
    public Schedule Without(IReadOnlySet<int> indexes) => this with { Steps = [.. Steps.Where((_, i) => !indexes.Contains(i))] };

    /// <summary>The schedule, one step a line, in a form a person can replay by hand.</summary>
    public override string ToString()
    {
        var text = new StringBuilder()
            .Append("schedule seed ").Append(Seed).Append(", ").Append(Nodes).Append(" nodes, ").Append(Clients).Append(" clients, ")
            .Append(Operations).Append(" operations, ").Append(Faults).Append(" faults");
        if (MembershipChanges > 0)
        {
            text.Append(", ").Append(MembershipChanges).Append(" membership changes");
        }

        if (AntiEntropy)
        {
            text.Append(", waits for anti-entropy at the end");
        }

        text.Append(':');
        foreach (var step in Steps)
        {
            text.AppendLine().Append("  ").Append(step);
        }

        return text.ToString();
    }
}
