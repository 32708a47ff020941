using RingCore.Transport;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// Generates fault schedules from a seed: client operations (puts with and without context,
/// gets, deletes, actor asks) from several clients, interleaved with partitions (random
/// splits, one node isolated, majority/minority), heals, crashes and restarts, at most one wiped
/// disk, and network drop, duplicate and delay rates; with <see cref="ScheduleShape.Membership"/>,
/// joins, leaves, force-removes and replaces too; with <see cref="ScheduleShape.AntiEntropy"/>,
/// one node's store damaged instead of a wiped disk. The same seed and shape give the same schedule.
/// </summary>
/// <remarks>
/// Membership changes keep the cluster valid as the schedule imagines it: at least N = 3 members
/// and 3 nodes up remain, only a crashed node is force-removed, and a schedule loses at most one
/// node's data for good (a wiped disk or a force-removed node, not both: N = 3, W = 2 promises to
/// survive one). A change may still be refused when it runs (a claimant cut off by a partition);
/// the runner checks each against the cluster as it is then.
/// </remarks>
public static class ScheduleGenerator
{
    /// <summary>How many more members than it started with a cluster may grow to.</summary>
    private const int MaxGrowth = 3;

    /// <summary>A schedule of <paramref name="shape"/> from <paramref name="seed"/>.</summary>
    public static Schedule Generate(int seed, ScheduleShape? shape = null)
    {
        shape ??= new ScheduleShape();
        shape.Validate();
        var random = new Random(seed);
        var nodes = Enumerable.Range(1, shape.Nodes).Select(i => $"n{i}").ToArray();

        // Decide where the faults fall among the operations, then walk the timeline. Without
        // membership changes this draws exactly what it drew before they existed, so every
        // earlier seed keeps its schedule.
        int changes = shape.Membership ? shape.MembershipChanges : 0;
        int total = shape.Operations + shape.Faults + changes;
        var isFault = new bool[total];
        foreach (int index in Enumerable.Range(0, total).OrderBy(_ => random.Next()).Take(shape.Faults + changes))
        {
            isFault[index] = true;
        }

        var isChange = new bool[total];
        if (changes > 0)
        {
            foreach (int index in Enumerable.Range(0, total).Where(i => isFault[i]).OrderBy(_ => random.Next()).Take(changes))
            {
                isChange[index] = true;
            }
        }

        // An anti-entropy schedule turns one fault into the store damage, which takes the place
        // of the wipe: a schedule loses at most one node's data (N = 3, W = 2 survives one).
        int damage = shape.AntiEntropy && shape.Faults > 0
            ? Enumerable.Range(0, total).Where(i => isFault[i]).OrderBy(_ => random.Next()).First()
            : -1;

        var members = shape.Membership ? new MembershipModel(nodes) : null;
        var steps = new List<ScheduleStep>(total);
        var crashed = new HashSet<string>(StringComparer.Ordinal);
        bool partitioned = false, wiped = shape.AntiEntropy;
        var at = TimeSpan.Zero;
        for (int i = 0; i < total; i++)
        {
            at += TimeSpan.FromTicks((long)(shape.MeanGap.Ticks * 2 * random.NextDouble()));
            steps.Add(isChange[i] ? members!.Change(random, at, shape, crashed, ref wiped)
                : i == damage ? Damage(random, at, nodes, crashed)
                : isFault[i] ? Fault(random, at, members?.Names ?? nodes, shape, crashed, ref partitioned, ref wiped)
                : Operation(random, at, shape));
        }

        return new Schedule(seed, shape.Nodes, shape.Clients, steps) { Membership = shape.Membership, AntiEntropy = shape.AntiEntropy };
    }

    private static ScheduleStep Operation(Random random, TimeSpan at, ScheduleShape shape)
    {
        int client = random.Next(shape.Clients);
        int roll = random.Next(100);
        if (roll < 20)
        {
            return new ScheduleStep(at, StepKind.ActorAsk, client, $"a{random.Next(shape.Actors)}", [], null);
        }

        var kind = roll switch
        {
            < 50 => StepKind.PutWithContext,
            < 62 => StepKind.PutBlind,
            < 92 => StepKind.Get,
            _ => StepKind.Delete,
        };
        return new ScheduleStep(at, kind, client, $"k{random.Next(shape.Keys)}", [], null);
    }

    private static ScheduleStep Fault(Random random, TimeSpan at, string[] nodes, ScheduleShape shape, HashSet<string> crashed, ref bool partitioned,
        ref bool wiped)
    {
        while (true)
        {
            int kind = random.Next(7);
            if ((!shape.Partitions && kind is 0 or 1 or 2) || (!shape.Crashes && kind is 3 or 4 or 5))
            {
                kind = 6; // only the network's misbehaviour is left to choose
            }

            switch (kind)
            {
                case 0 or 1:
                    partitioned = true;
                    return new ScheduleStep(at, StepKind.Partition, -1, "", Split(random, nodes), null);
                case 2 when partitioned:
                    partitioned = false;
                    return new ScheduleStep(at, StepKind.Heal, -1, "", [], null);
                case 3 when crashed.Count < nodes.Length - 2:
                {
                    var node = nodes.Where(n => !crashed.Contains(n)).ElementAt(random.Next(nodes.Length - crashed.Count));
                    crashed.Add(node);
                    return new ScheduleStep(at, StepKind.Crash, -1, "", [[node]], null);
                }

                case 4 when crashed.Count > 0:
                {
                    var node = crashed.Order(StringComparer.Ordinal).ElementAt(random.Next(crashed.Count));
                    crashed.Remove(node);
                    return new ScheduleStep(at, StepKind.Restart, -1, "", [[node]], null);
                }

                case 5 when !wiped:
                {
                    wiped = true;
                    var node = nodes[random.Next(nodes.Length)];
                    crashed.Remove(node); // a wipe restarts the node, empty
                    return new ScheduleStep(at, StepKind.Wipe, -1, "", [[node]], null);
                }

                case 6:
                    return new ScheduleStep(at, StepKind.NetworkFaults, -1, "", [], NetworkMisbehaviour(random));
            }
        }
    }

    /// <summary>
    /// The store damage of an anti-entropy schedule: half the time, when a node is down, that
    /// node's (disk damage found when it comes back: its trees are built from the damaged store
    /// at its restart); otherwise any node's, up or down (a node that stays up sees it at its
    /// next tree rebuild). A node holds only a few of a schedule's objects, so a quarter to all of
    /// them are damaged, each deleted or corrupted.
    /// </summary>
    private static ScheduleStep Damage(Random random, TimeSpan at, string[] nodes, HashSet<string> crashed)
    {
        string node = crashed.Count > 0 && random.Next(2) == 0
            ? crashed.Order(StringComparer.Ordinal).ElementAt(random.Next(crashed.Count))
            : nodes[random.Next(nodes.Length)];
        return new ScheduleStep(at, StepKind.DamageStore, -1, "", [[node]], null)
        {
            DamageFraction = DamageFractions[random.Next(DamageFractions.Length)],
            Damage = (StoreDamage)random.Next(3),
        };
    }

    private static readonly double[] DamageFractions = [0.25, 0.5, 1.0];

    private static IReadOnlyList<IReadOnlyList<string>> Split(Random random, string[] nodes)
    {
        var shuffled = nodes.OrderBy(_ => random.Next()).ToArray();
        int cut = random.Next(3) switch
        {
            0 => 1,                                  // one node isolated
            1 => nodes.Length / 2,                   // minority / majority
            _ => 1 + random.Next(nodes.Length - 1),  // any split
        };
        return [shuffled[..cut].Order(StringComparer.Ordinal).ToArray(), shuffled[cut..].Order(StringComparer.Ordinal).ToArray()];
    }

    private static NetworkFaults NetworkMisbehaviour(Random random) => random.Next(4) == 0
        ? NetworkFaults.None
        : new NetworkFaults
        {
            DropRate = Math.Round(random.NextDouble() * 0.2, 2),
            DuplicateRate = Math.Round(random.NextDouble() * 0.2, 2),
            MinDelay = TimeSpan.Zero,
            MaxDelay = TimeSpan.FromMilliseconds(random.Next(0, 30)),
        };

    /// <summary>The members as the schedule imagines them, for choosing membership changes and the nodes of faults.</summary>
    private sealed class MembershipModel(string[] initial)
    {
        private readonly List<string> _members = [.. initial];
        private int _named = initial.Length;

        /// <summary>The current members, in the order they joined.</summary>
        public string[] Names => [.. _members];

        public ScheduleStep Change(Random random, TimeSpan at, ScheduleShape shape, HashSet<string> crashed, ref bool wiped)
        {
            var up = _members.Where(m => !crashed.Contains(m)).ToArray();
            var down = _members.Where(crashed.Contains).ToArray();
            while (true)
            {
                switch (random.Next(4))
                {
                    case 0 when _members.Count < Math.Min(shape.Nodes + MaxGrowth, 64):
                    {
                        string node = $"n{++_named}";
                        _members.Add(node);
                        return new ScheduleStep(at, StepKind.Join, -1, "", [[node]], null);
                    }

                    case 1 when _members.Count > 3 && up.Length > 3:
                    {
                        string node = up[random.Next(up.Length)];
                        _members.Remove(node);
                        return new ScheduleStep(at, StepKind.Leave, -1, "", [[node]], null);
                    }

                    case 2 when _members.Count > 3 && down.Length > 0 && !wiped:
                    {
                        // A force-removed node's replicas are gone for good: the one loss a schedule may have.
                        wiped = true;
                        string node = down[random.Next(down.Length)];
                        _members.Remove(node);
                        crashed.Remove(node); // never restarted
                        return new ScheduleStep(at, StepKind.ForceRemove, -1, "", [[node]], null);
                    }

                    case 3:
                    {
                        string node = up[random.Next(up.Length)];
                        string replacement = $"n{++_named}";
                        _members[_members.IndexOf(node)] = replacement;
                        return new ScheduleStep(at, StepKind.Replace, -1, "", [[node, replacement]], null);
                    }
                }
            }
        }
    }
}
