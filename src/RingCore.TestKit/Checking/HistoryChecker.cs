using RingCore.TestKit.Schedules;

namespace RingCore.TestKit.Checking;

/// <summary>
/// Checks the history of a fault-schedule run against what RingCore promises (issue 5), in the
/// manner of Jepsen's checkers: an operation that failed or timed out may or may not have taken
/// effect, an acknowledged one must have.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>No acknowledged write lost.</b> A value is accounted for when some replica still
/// holds it, or when a write or delete whose context covered it (it saw the value) is accounted
/// for itself: the chain of supersession must end in something the cluster holds, or in a delete
/// that may have taken effect. A put or delete without a context (blind) supersedes nothing. A
/// delete may have taken effect unless it is known not to have
/// (<see cref="OperationOutcome.NotApplied"/>): one acknowledged did; one that failed or timed
/// out may have, since its coordinating replica may have recorded the tombstone before the error
/// and read repair spreads it, while a tombstone is hidden from reads and reaped, so the final
/// state cannot say (Jepsen's indeterminate operation). One known not to have taken effect
/// accounts for nothing: a value it saw and that is gone is lost.</item>
/// <item><b>Not applied means not applied.</b> A put that ended
/// <see cref="OperationOutcome.NotApplied"/> is never read, nor held at the end.</item>
/// <item><b>Convergence.</b> After the repair reads, the N primaries of every key hold the same set.
/// An anti-entropy run (<see cref="Schedule.AntiEntropy"/>) does no repair reads: its runner waits
/// until every key's primaries hold the merge of all its replicas and reports a wait that passed its
/// bound; the damage of one node's store counts as the schedule's one lost disk, so nothing
/// acknowledged may be lost to it.</item>
/// <item><b>No phantom.</b> Every value read, during the run or at its end, is one some client wrote.</item>
/// <item><b>Actors.</b> The workload's check holds for each actor's state merged from every
/// replica (the default counter: at least its acknowledged increments and at most those plus the
/// ones that failed or timed out); it answers an ask after the run; with no partition, crash or
/// wipe or membership change it never had two activations at once.</item>
/// <item><b>Liveness.</b> Every operation ended within its deadline, with no unexpected error,
/// and reads after healing succeed.</item>
/// <item><b>Membership</b> (runs with membership changes, read from the primaries of the settled
/// ring only): the cluster settles, and <see cref="SettledClusterChecker"/>'s rules hold: one ring
/// on every node, ownership balanced and diverse, no transfer left, no misplaced object, each
/// actor active on at most one node. A membership change that failed for an unexpected reason is
/// reported.</item>
/// </list>
/// </remarks>
public static class HistoryChecker
{
    // Deadlines are the client's own timeouts; completions land on the timer tick after them.
    private static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(50);

    internal static ScheduleVerdict Check(Schedule schedule, ActorWorkload workload, IReadOnlyList<OperationRecord> history, FinalState final,
        TestCluster cluster, List<string> violations, ulong deliveryLogHash, long messages, TimeSpan virtualTime,
        IReadOnlyList<MembershipStepRecord>? membership = null)
    {
        int lost = CheckWrites(history, final, violations);
        CheckPhantoms(history, final, violations);
        CheckNotApplied(history, final, violations);
        foreach (var (key, sets) in final.Diverged)
        {
            violations.Add($"convergence: the primaries of {ScheduleRunner.Bucket}/{key} differ after repair: {sets}");
        }

        CheckActors(schedule, workload, history, final, cluster, violations);
        CheckLiveness(history, final, violations);
        if (final.Settled is { } settled)
        {
            SettledClusterChecker.Check(settled, violations);
        }

        return new ScheduleVerdict(schedule, history, violations, deliveryLogHash, messages, virtualTime)
        {
            LostWrites = lost,
            MembershipSteps = membership ?? [],
        };
    }

    private static int CheckWrites(IReadOnlyList<OperationRecord> history, FinalState final, List<string> violations)
    {
        int lost = 0;
        foreach (var byKey in history.Where(op => op.Step.Kind is StepKind.PutWithContext or StepKind.PutBlind or StepKind.Delete).GroupBy(op => op.Step.Key))
        {
            var held = final.Values.GetValueOrDefault(byKey.Key) ?? [];
            var writers = byKey.ToArray();
            var accounted = new Dictionary<OperationRecord, bool>();

            // Who superseded each value, so the check stays linear in the history's size.
            var supersededBy = new Dictionary<string, List<OperationRecord>>(StringComparer.Ordinal);
            foreach (var writer in writers)
            {
                foreach (var value in writer.Superseded)
                {
                    if (!supersededBy.TryGetValue(value, out var list))
                    {
                        supersededBy[value] = list = [];
                    }

                    list.Add(writer);
                }
            }

            // A write can only supersede values it saw, which were written before it was invoked,
            // so walking the history backwards decides every successor before its predecessors.
            foreach (var write in writers.OrderByDescending(w => w.Index))
            {
                // A put is accounted for by the cluster holding its value, whatever the client
                // was told. A delete leaves nothing to look for (its tombstone is hidden from
                // reads, then reaped), so it is accounted for when it may have taken effect.
                bool result = write.Step.Kind == StepKind.Delete
                    ? MayHaveTakenEffect(write)
                    : held.Contains(write.Written!);
                if (!result && write.Written is { } value && supersededBy.TryGetValue(value, out var successors))
                {
                    result = successors.Any(later => !ReferenceEquals(later, write) && accounted.GetValueOrDefault(later));
                }

                accounted[write] = result;
            }

            bool Accounted(OperationRecord write) => accounted[write];

            foreach (var write in writers)
            {
                if (write.Outcome == OperationOutcome.Ok && write.Written is not null && !Accounted(write))
                {
                    lost++;
                    violations.Add($"lost write: {write} wrote {write.Written}; no replica holds it and no write that saw it survives");
                }
            }
        }

        return lost;
    }

    /// <summary>
    /// Whether an operation may have taken effect: unless it is known not to have. Acknowledged,
    /// it did; failed, timed out, failed unexpectedly or still pending, nothing says it did not
    /// (a reply lost after the coordinating replica recorded it looks like any of these).
    /// </summary>
    internal static bool MayHaveTakenEffect(OperationRecord operation) => operation.Outcome != OperationOutcome.NotApplied;

    private static void CheckNotApplied(IReadOnlyList<OperationRecord> history, FinalState final, List<string> violations)
    {
        var seen = history.SelectMany(op => op.Observed).ToHashSet(StringComparer.Ordinal);
        foreach (var write in history)
        {
            if (write.Outcome == OperationOutcome.NotApplied && write.Written is { } value
                && (seen.Contains(value) || final.Values.GetValueOrDefault(write.Step.Key)?.Contains(value) == true))
            {
                violations.Add($"not applied, yet seen: {write} wrote {value}, which the client was told did not take effect, and a read or replica has it");
            }
        }
    }

    private static void CheckPhantoms(IReadOnlyList<OperationRecord> history, FinalState final, List<string> violations)
    {
        var written = history.Where(op => op.Written is not null).Select(op => op.Written!).ToHashSet(StringComparer.Ordinal);
        foreach (var op in history)
        {
            foreach (var value in op.Observed)
            {
                if (!written.Contains(value))
                {
                    violations.Add($"phantom: {op} returned {value}, which no client wrote");
                }
            }
        }

        foreach (var (key, values) in final.Values)
        {
            foreach (var value in values.Where(v => !written.Contains(v)))
            {
                violations.Add($"phantom: a replica of {ScheduleRunner.Bucket}/{key} holds {value}, which no client wrote");
            }
        }
    }

    private static void CheckActors(Schedule schedule, ActorWorkload workload, IReadOnlyList<OperationRecord> history, FinalState final,
        TestCluster cluster, List<string> violations)
    {
        foreach (var byKey in history.Where(op => op.Step.Kind == StepKind.ActorAsk).GroupBy(op => op.Step.Key))
        {
            var acknowledged = byKey.Where(op => op.Outcome == OperationOutcome.Ok).Select(op => op.Message!).ToArray();
            var uncertain = byKey.Where(op => op.Outcome != OperationOutcome.Ok && MayHaveTakenEffect(op)).Select(op => op.Message!).ToArray();
            if (final.ProbeFailures.TryGetValue(byKey.Key, out var failure))
            {
                violations.Add($"liveness: actor {byKey.Key} did not answer after the run: {failure}");
            }

            if (workload.Check(cluster.ActorTypes, byKey.Key, acknowledged, uncertain, final.ActorVersions.GetValueOrDefault(byKey.Key) ?? [],
                    final.ProbeAnswers.GetValueOrDefault(byKey.Key)) is { } violation)
            {
                violations.Add(violation);
            }

            int most = cluster.Activations.MostAtOnce(workload.TypeName, System.Text.Encoding.UTF8.GetBytes(byKey.Key));
            if (!schedule.SplitsOrCrashes && schedule.MembershipChanges == 0 && most > 1)
            {
                violations.Add($"single activation: actor {byKey.Key} had {most} activations at once with no partition or crash: "
                    + string.Join("; ", cluster.Activations.Overlaps.Where(o => o.StartsWith($"{workload.TypeName}/{byKey.Key} ", StringComparison.Ordinal))));
            }
        }
    }

    private static void CheckLiveness(IReadOnlyList<OperationRecord> history, FinalState final, List<string> violations)
    {
        foreach (var op in history)
        {
            if (op.Outcome == OperationOutcome.Pending)
            {
                violations.Add($"liveness: {op} never ended");
            }
            else if (op.Outcome == OperationOutcome.Unexpected)
            {
                violations.Add($"unexpected error: {op}");
            }
            else if (op.Completed - op.Invoked > op.Deadline + DeadlineSlack)
            {
                violations.Add($"liveness: {op} took longer than its deadline of {op.Deadline.TotalMilliseconds:0} ms");
            }
        }

        foreach (var failure in final.FailedFinalReads)
        {
            violations.Add($"liveness: a read after healing failed: {failure}");
        }
    }
}
