using System.Text;
using RingCore.TestKit.Schedules;

namespace RingCore.TestKit.Checking;

/// <summary>
/// What the history checker found in one run of a schedule: the violations (none when the run
/// kept every promise) and the figures a report shows.
/// </summary>
public sealed class ScheduleVerdict
{
    internal ScheduleVerdict(Schedule schedule, IReadOnlyList<OperationRecord> history, IReadOnlyList<string> violations, ulong deliveryLogHash,
        long messages, TimeSpan virtualTime)
    {
        Schedule = schedule;
        History = history;
        Violations = violations;
        DeliveryLogHash = deliveryLogHash;
        Messages = messages;
        VirtualTime = virtualTime;
    }

    /// <summary>The schedule that ran.</summary>
    public Schedule Schedule { get; }

    /// <summary>Every client operation, in schedule order.</summary>
    public IReadOnlyList<OperationRecord> History { get; }

    /// <summary>Each broken promise, in words; empty when the run passed.</summary>
    public IReadOnlyList<string> Violations { get; }

    /// <summary>Whether the run kept every promise.</summary>
    public bool Passed => Violations.Count == 0;

    /// <summary>The network's delivery-log hash: equal for two runs exactly when they delivered the same messages in the same order.</summary>
    public ulong DeliveryLogHash { get; }

    /// <summary>Messages the network delivered.</summary>
    public long Messages { get; }

    /// <summary>Virtual time the run took, the final checks included.</summary>
    public TimeSpan VirtualTime { get; }

    /// <summary>Operations that were acknowledged.</summary>
    public int Acknowledged => History.Count(op => op.Outcome == OperationOutcome.Ok);

    /// <summary>Operations that failed with a clear error (whether or not they may have taken effect) or timed out.</summary>
    public int Failed => History.Count(op => op.Outcome is OperationOutcome.Failed or OperationOutcome.NotApplied or OperationOutcome.TimedOut);

    /// <summary>Acknowledged writes that no final replica holds and no later write superseded.</summary>
    public int LostWrites { get; internal set; }

    /// <summary>The membership changes of the run, in schedule order (empty unless the shape had <see cref="ScheduleShape.Membership"/>).</summary>
    public IReadOnlyList<MembershipStepRecord> MembershipSteps { get; internal init; } = [];

    /// <summary>Membership changes of <paramref name="kind"/> (join, leave, force-remove, replace) that were committed.</summary>
    public int MembershipApplied(StepKind kind) => MembershipSteps.Count(s => s.Step.Kind == kind && s.Outcome == MembershipStepOutcome.Applied);

    /// <summary>Membership changes that were refused, timed out or skipped.</summary>
    public int MembershipNotApplied => MembershipSteps.Count(s => s.Outcome != MembershipStepOutcome.Applied);

    /// <summary>Ownership transfers and repairs the nodes finished sending (the <c>ringcore.handoff.transfers_completed</c> counter).</summary>
    public long TransfersCompleted { get; internal set; }

    /// <summary>Objects handed from one node to another by transfers, repairs and hinted handoff (the <c>ringcore.handoff.objects</c> counter).</summary>
    public long ObjectsHandedOff { get; internal set; }

    /// <summary>The members of the ring at the end of the run.</summary>
    public IReadOnlyList<string> FinalMembers { get; internal set; } = [];

    /// <summary>What active anti-entropy did: exchanges, keys repaired, bytes, corrupt objects; in an anti-entropy run also the store damage and the wait.</summary>
    public AntiEntropyFigures AntiEntropy { get; internal set; } = new();

    /// <summary>Reads that returned siblings (concurrent values).</summary>
    public int SiblingReads => History.Count(op => op.Step.Kind == StepKind.Get && op.Observed.Count > 1);

    /// <summary>Acknowledged writes whose context covered more than one value: siblings merged by a client.</summary>
    public int SiblingsMerged => History.Count(op => op.Outcome == OperationOutcome.Ok && op.Superseded.Count > 1);

    /// <summary>The verdict as a few readable lines, the violations and the schedule when it failed.</summary>
    public override string ToString()
    {
        var text = new StringBuilder()
            .Append(Passed ? "PASSED" : "FAILED").Append(": seed ").Append(Schedule.Seed).Append(", ")
            .Append(Schedule.Operations).Append(" operations (").Append(Acknowledged).Append(" acknowledged, ").Append(Failed).Append(" failed), ")
            .Append(Schedule.Faults).Append(" faults, acknowledged writes lost: ").Append(LostWrites);
        if (MembershipSteps.Count > 0)
        {
            text.AppendLine().Append("  membership: ")
                .Append(MembershipApplied(StepKind.Join)).Append(" joins, ").Append(MembershipApplied(StepKind.Leave)).Append(" leaves, ")
                .Append(MembershipApplied(StepKind.ForceRemove)).Append(" force-removes, ").Append(MembershipApplied(StepKind.Replace)).Append(" replaces applied, ")
                .Append(MembershipNotApplied).Append(" refused, timed out or skipped; ")
                .Append(TransfersCompleted).Append(" transfers, ").Append(ObjectsHandedOff).Append(" objects handed off; members ")
                .Append(string.Join(" ", FinalMembers));
        }
        if (Schedule.AntiEntropy)
        {
            var aae = AntiEntropy;
            text.AppendLine().Append("  anti-entropy: ");
            if (aae.DamagedNode is not null)
            {
                text.Append("damaged ").Append(aae.DamagedNode).Append("'s store ").Append(aae.DamagedWhileDown ? "while down" : "while up").Append(" (")
                    .Append(aae.ObjectsDeleted).Append(" deleted, ").Append(aae.ObjectsCorrupted).Append(" corrupted); ");
            }

            text.Append(aae.ConvergedAfter is { } converged ? $"converged {converged.TotalSeconds:0} s after the heal" : "did not converge")
                .Append(" (bound ").Append($"{aae.Bound.TotalSeconds:0}").Append(" s); ").Append(aae.Exchanges).Append(" exchanges (")
                .Append(aae.ExchangesRepaired).Append(" repaired), ").Append(aae.KeysRepaired).Append(" keys repaired");
        }

        foreach (var violation in Violations)
        {
            text.AppendLine().Append("  violation: ").Append(violation);
        }

        if (!Passed)
        {
            foreach (var change in MembershipSteps)
            {
                text.AppendLine().Append("  membership change ").Append(change);
            }

            text.AppendLine().Append(Schedule);
        }

        return text.ToString();
    }
}
