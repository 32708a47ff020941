using RingCore.Actors;

namespace RingCore.Daemon.Actors.Counter;

/// <summary>Adds <see cref="By"/> (negative to subtract; 1 when absent) and replies the counter's new value (a JSON number).</summary>
internal sealed record Increment(long By = 1);

/// <summary>Replies the counter's value (a JSON number; 0 for a counter never incremented).</summary>
internal sealed record Get;

/// <summary>
/// A counter's state: what each node's activations added and subtracted in all, a PN-counter
/// (Shapiro et al., "Conflict-free replicated data types", 2011), so that two activations on two
/// sides of a partition both count and their siblings merge without losing an increment.
/// </summary>
/// <param name="Added">Per node that hosted the counter, the sum of its positive increments.</param>
/// <param name="Subtracted">Per node, the sum of its negative increments, as a positive number.</param>
internal sealed record CounterState(Dictionary<string, long> Added, Dictionary<string, long> Subtracted)
{
    /// <summary>The counter's value.</summary>
    public long Value => Added.Values.Sum() - Subtracted.Values.Sum();
}

/// <summary>
/// The built-in actor type <c>counter</c>: a number per key, written through to N replicas
/// before each reply (<see cref="ActorDurability.WriteThrough"/>).
/// </summary>
internal static class CounterActor
{
    /// <summary>The type's registered name.</summary>
    public const string TypeName = "counter";

    public static void Define(ActorRegistry actors) =>
        actors.Add<CounterState>(TypeName, type => type
            .InitialState(_ => new CounterState([], []))
            .On<Increment, long>((state, message, context) =>
            {
                var next = Add(state, HostOf(context.ActivationId), message.By);
                return (next, next.Value);
            })
            .On<Get, long>((state, _, _) => (state, state.Value))
            .Merge(Merge)
            .WithDurability(ActorDurability.WriteThrough)
            .WithMessageSerializer(BuiltInActors.Messages));

    /// <summary>Each node's entries only grow, so the merge of concurrent versions is their entry-wise maximum.</summary>
    internal static CounterState Merge(IReadOnlyList<CounterState> versions)
    {
        Dictionary<string, long> added = [], subtracted = [];
        foreach (var version in versions)
        {
            Max(added, version.Added);
            Max(subtracted, version.Subtracted);
        }

        return new CounterState(added, subtracted);
    }

    internal static CounterState Add(CounterState state, string node, long by)
    {
        if (by == 0)
        {
            return state;
        }

        var entries = new Dictionary<string, long>(by > 0 ? state.Added : state.Subtracted);
        entries[node] = checked(entries.GetValueOrDefault(node) + Math.Abs(by));
        return by > 0 ? state with { Added = entries } : state with { Subtracted = entries };
    }

    /// <summary>The node of an activation id (<c>node/incarnation/sequence</c>): one activation per node at a time writes its entry.</summary>
    internal static string HostOf(string activationId)
    {
        int last = activationId.LastIndexOf('/');
        int incarnation = last > 0 ? activationId.LastIndexOf('/', last - 1) : -1;
        return incarnation > 0 ? activationId[..incarnation] : activationId;
    }

    private static void Max(Dictionary<string, long> into, Dictionary<string, long> from)
    {
        foreach (var (node, count) in from)
        {
            into[node] = Math.Max(into.GetValueOrDefault(node), count);
        }
    }
}
