using RingCore.Actors;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// The counter actor the fault schedules increment: a grow-only counter with one entry per
/// activation (keyed by <see cref="ActorContext.ActivationId"/>), merged by taking each entry's
/// maximum. Two activations on the two sides of a partition each count their own increments, and
/// the merge adds them up, so the count is the number of increments applied, none lost, none twice.
/// </summary>
public static class GCounter
{
    /// <summary>The counter's state: increments per activation.</summary>
    public sealed record State(SortedDictionary<string, long> Counts)
    {
        /// <summary>The count: the sum over activations.</summary>
        public long Total => Counts.Values.Sum();
    }

    /// <summary>Adds one; replies with the activation's view of the total.</summary>
    public sealed record Increment;

    /// <summary>Replies with the total.</summary>
    public sealed record Read;

    /// <summary>
    /// The default workload of the fault schedules: each ask increments a counter, and the
    /// merged final count must hold every acknowledged increment and at most the uncertain ones
    /// besides; the count an ask after the run answers must not exceed what the replicas hold.
    /// </summary>
    public static ActorWorkload<State> Workload { get; } = new("counter", Configure, (_, _) => new Increment(), () => new Read(), Check);

    private static string? Check(ActorWorkloadOutcome<State> outcome)
    {
        long stored = outcome.Merged?.Total ?? 0;
        int acknowledged = outcome.Acknowledged.Count, uncertain = outcome.Uncertain.Count;
        if (stored < acknowledged)
        {
            return $"lost increments: counter {outcome.Key} holds {stored}, but {acknowledged} increments were acknowledged";
        }

        if (stored > acknowledged + uncertain)
        {
            return $"extra increments: counter {outcome.Key} holds {stored}, more than {acknowledged} acknowledged plus {uncertain} uncertain";
        }

        return outcome.ProbeAnswer is long answered && answered > stored
            ? $"phantom: counter {outcome.Key} answered {answered} after the run, more than its replicas hold ({stored})"
            : null;
    }

    private static void Configure(ActorTypeBuilder<State> type) =>
        type
            .InitialState(_ => new State(new SortedDictionary<string, long>(StringComparer.Ordinal)))
            .On<Increment, long>((state, _, context) =>
            {
                var counts = new SortedDictionary<string, long>(state.Counts, StringComparer.Ordinal);
                counts[context.ActivationId] = counts.GetValueOrDefault(context.ActivationId) + 1;
                var next = new State(counts);
                return (next, next.Total);
            })
            .On<Read, long>((state, _, _) => (state, state.Total))
            .Merge(Merge);

    /// <summary>Each activation's entry at its largest: concurrent increments add up.</summary>
    public static State Merge(IReadOnlyList<State> versions)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var version in versions)
        {
            foreach (var (activation, count) in version.Counts)
            {
                counts[activation] = Math.Max(counts.GetValueOrDefault(activation), count);
            }
        }

        return new State(counts);
    }
}
