using System.Globalization;
using RingCore.Transport;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// One step of a fault schedule: a client operation or a fault, started at <see cref="At"/> of
/// virtual time from the start. Client operations run concurrently with everything after them;
/// faults take effect at once.
/// </summary>
/// <param name="At">When the step starts, from the start of the run.</param>
/// <param name="Kind">What it does.</param>
/// <param name="Client">The client of an operation (0-based); -1 for faults.</param>
/// <param name="Key">The key of an operation (a key of bucket "b", or a counter actor's key); empty for faults.</param>
/// <param name="Sides">For <see cref="StepKind.Partition"/>: the sides; for crash, restart, wipe, store damage, join, leave and force-remove: one side, the node;
/// for replace: one side, the member replaced and its replacement.</param>
/// <param name="Faults">For <see cref="StepKind.NetworkFaults"/>: the network's new misbehaviour.</param>
public sealed record ScheduleStep(TimeSpan At, StepKind Kind, int Client, string Key, IReadOnlyList<IReadOnlyList<string>> Sides, NetworkFaults? Faults)
{
    /// <summary>For <see cref="StepKind.DamageStore"/>: the share of the node's objects damaged, from 0 to 1 (each object is picked with this probability).</summary>
    public double DamageFraction { get; init; }

    /// <summary>For <see cref="StepKind.DamageStore"/>: what is done to each object picked.</summary>
    public StoreDamage Damage { get; init; }

    /// <summary>The node of a crash, restart, wipe, store damage, join, leave or force-remove; the member a replace replaces.</summary>
    public string Node => Sides.Count > 0 && Sides[0].Count > 0 ? Sides[0][0] : "";

    /// <summary>The new node of a replace; empty for other steps.</summary>
    public string Replacement => Kind == StepKind.Replace && Sides.Count > 0 && Sides[0].Count > 1 ? Sides[0][1] : "";

    /// <summary>Whether the step is a fault or a membership change rather than a client operation.</summary>
    public bool IsFault => Kind >= StepKind.Partition;

    /// <summary>Whether the step changes the cluster's membership (join, leave, force-remove, replace).</summary>
    public bool IsMembership => Kind >= StepKind.Join;

    /// <summary>The step as one readable line, e.g. "t=+120ms c1 put k3 (with context)" or "t=+300ms partition [n1 n2] [n3 n4 n5]".</summary>
    public override string ToString()
    {
        string at = $"t=+{At.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)}ms";
        return Kind switch
        {
            StepKind.PutWithContext => $"{at} c{Client} put {Key} (with context)",
            StepKind.PutBlind => $"{at} c{Client} put {Key} (blind)",
            StepKind.Get => $"{at} c{Client} get {Key}",
            StepKind.Delete => $"{at} c{Client} delete {Key}",
            StepKind.ActorAsk => $"{at} c{Client} ask actor {Key}",
            StepKind.Partition => $"{at} partition {string.Join(" ", Sides.Select(side => $"[{string.Join(" ", side)}]"))}",
            StepKind.Heal => $"{at} heal",
            StepKind.Crash => $"{at} crash {Node}",
            StepKind.Restart => $"{at} restart {Node}",
            StepKind.Wipe => $"{at} wipe {Node} (disk lost)",
            StepKind.DamageStore => $"{at} damage {Node}'s store: {(DamageFraction * 100).ToString("0", CultureInfo.InvariantCulture)}% of its objects {Damaged(Damage)}",
            StepKind.NetworkFaults => Faults is { } f
                ? $"{at} network: drop {f.DropRate:P0}, duplicate {f.DuplicateRate:P0}, delay {f.MinDelay.TotalMilliseconds:0}-{f.MaxDelay.TotalMilliseconds:0} ms"
                : $"{at} network: clean",
            StepKind.Join => $"{at} join {Node}",
            StepKind.Leave => $"{at} leave {Node}",
            StepKind.ForceRemove => $"{at} force-remove {Node}",
            StepKind.Replace => $"{at} replace {Node} with {Replacement}",
            _ => $"{at} {Kind}",
        };
    }

    private static string Damaged(StoreDamage damage) => damage switch
    {
        StoreDamage.Delete => "deleted",
        StoreDamage.Corrupt => "corrupted",
        _ => "deleted or corrupted",
    };
}
