using RingCore.Transport;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// Generates fault schedules from a seed: client operations (puts with and without context,
/// gets, deletes, actor asks) from several clients, interleaved with partitions (random
/// splits, one node isolated, majority/minority), heals, crashes and restarts, at most one wiped
/// disk, and network drop, duplicate and delay rates. The same seed and shape give the same schedule.
/// </summary>
public static class ScheduleGenerator
{
    /// <summary>A schedule of <paramref name="shape"/> from <paramref name="seed"/>.</summary>
    public static Schedule Generate(int seed, ScheduleShape? shape = null)
    {
        shape ??= new ScheduleShape();
        shape.Validate();
        var random = new Random(seed);
        var nodes = Enumerable.Range(1, shape.Nodes).Select(i => $"n{i}").ToArray();

        // Decide where the faults fall among the operations, then walk the timeline.
        int total = shape.Operations + shape.Faults;
        var isFault = new bool[total];
        foreach (int index in Enumerable.Range(0, total).OrderBy(_ => random.Next()).Take(shape.Faults))
        {
            isFault[index] = true;
        }

        var steps = new List<ScheduleStep>(total);
        var crashed = new HashSet<string>(StringComparer.Ordinal);
        bool partitioned = false, wiped = false;
        var at = TimeSpan.Zero;
        for (int i = 0; i < total; i++)
        {
            at += TimeSpan.FromTicks((long)(shape.MeanGap.Ticks * 2 * random.NextDouble()));
            steps.Add(isFault[i]
                ? Fault(random, at, nodes, shape, crashed, ref partitioned, ref wiped)
                : Operation(random, at, shape));
        }

        return new Schedule(seed, shape.Nodes, shape.Clients, steps);
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
}
