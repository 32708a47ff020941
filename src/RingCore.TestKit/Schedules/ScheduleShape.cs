namespace RingCore.TestKit.Schedules;

/// <summary>The size of a generated schedule. Defaults to the floor: 5 nodes, 3 clients, 200 operations, 10 faults.</summary>
public sealed record ScheduleShape
{
    /// <summary>Cluster size. Defaults to 5.</summary>
    public int Nodes { get; init; } = 5;

    /// <summary>Clients. Defaults to 3.</summary>
    public int Clients { get; init; } = 3;

    /// <summary>Client operations. Defaults to 200.</summary>
    public int Operations { get; init; } = 200;

    /// <summary>Faults (partitions, heals, crashes, restarts, a wipe, network changes). Defaults to 10.</summary>
    public int Faults { get; init; } = 10;

    /// <summary>Keys of bucket "b" the clients share (few, so they contend). Defaults to 4.</summary>
    public int Keys { get; init; } = 4;

    /// <summary>Actors (of the run's workload type) the clients share. Defaults to 2.</summary>
    public int Actors { get; init; } = 2;

    /// <summary>Whether faults may split the network (partitions and heals). Defaults to true.</summary>
    public bool Partitions { get; init; } = true;

    /// <summary>Whether faults may crash, restart and wipe nodes. Defaults to true.</summary>
    public bool Crashes { get; init; } = true;

    /// <summary>
    /// Whether the schedule also changes the cluster's membership: <see cref="MembershipChanges"/>
    /// joins, leaves, force-removes and replaces among the faults, and the run settles the
    /// cluster (<see cref="TestCluster.AwaitSettledAsync"/>) and checks the settled ring and the
    /// primaries. Defaults to false, which keeps every schedule of the other settings exactly as
    /// it was (same seed, same steps).
    /// </summary>
    public bool Membership { get; init; }

    /// <summary>
    /// Whether the schedule is an anti-entropy run (issue 14): one of its faults damages part of
    /// one node's stores beneath it (<see cref="StepKind.DamageStore"/>, in place of the wiped disk,
    /// so a schedule still loses at most one node's data), and after the schedule the run does no
    /// repair reads: it waits, in virtual time and within a bound, until anti-entropy has given
    /// every primary of every key the merge of all its replicas. Defaults to false, which keeps
    /// every schedule of the other settings exactly as it was. Not with <see cref="Membership"/>.
    /// </summary>
    public bool AntiEntropy { get; init; }

    /// <summary>Membership changes in a schedule when <see cref="Membership"/> is on. Defaults to 4.</summary>
    public int MembershipChanges { get; init; } = 4;

    /// <summary>Mean virtual time between two steps. Defaults to 10 ms.</summary>
    public TimeSpan MeanGap { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> (or, for a combination, an <see cref="ArgumentException"/>) naming the first bad setting.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Nodes, 3, nameof(Nodes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Nodes, 64, nameof(Nodes));
        ArgumentOutOfRangeException.ThrowIfLessThan(Clients, 1, nameof(Clients));
        ArgumentOutOfRangeException.ThrowIfNegative(Operations, nameof(Operations));
        ArgumentOutOfRangeException.ThrowIfNegative(Faults, nameof(Faults));
        ArgumentOutOfRangeException.ThrowIfLessThan(Keys, 1, nameof(Keys));
        ArgumentOutOfRangeException.ThrowIfLessThan(Actors, 1, nameof(Actors));
        ArgumentOutOfRangeException.ThrowIfNegative(MembershipChanges, nameof(MembershipChanges));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MembershipChanges, 1000, nameof(MembershipChanges));
        ArgumentOutOfRangeException.ThrowIfLessThan(MeanGap, TimeSpan.FromMilliseconds(1), nameof(MeanGap));
        if (AntiEntropy && Membership)
        {
            throw new ArgumentException($"{nameof(AntiEntropy)} and {nameof(Membership)} cannot both be on: an anti-entropy run keeps the ring it started with.", nameof(AntiEntropy));
        }
    }
}
