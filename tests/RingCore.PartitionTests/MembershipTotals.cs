using RingCore.TestKit.Checking;
using RingCore.TestKit.Schedules;

namespace RingCore.PartitionTests;

/// <summary>The figures of a run of membership schedules, as the suite reports them (and the README quotes them).</summary>
internal sealed class MembershipTotals
{
    private readonly Lock _gate = new();
    private readonly Dictionary<StepKind, long> _applied = [];

    public int Schedules { get; private set; }

    public long Operations { get; private set; }

    public long Acknowledged { get; private set; }

    public long Writes { get; private set; }

    public long Faults { get; private set; }

    public long Changes { get; private set; }

    public long NotApplied { get; private set; }

    public long Transfers { get; private set; }

    public long ObjectsHandedOff { get; private set; }

    public long Lost { get; private set; }

    public long AppliedChanges => _applied.Values.Sum();

    public long Applied(StepKind kind)
    {
        lock (_gate)
        {
            return _applied.GetValueOrDefault(kind);
        }
    }

    public void Add(ScheduleVerdict verdict)
    {
        lock (_gate)
        {
            Schedules++;
            Operations += verdict.Schedule.Operations;
            Acknowledged += verdict.Acknowledged;
            Writes += verdict.History.Count(op => op.Written is not null && op.Outcome == OperationOutcome.Ok);
            Faults += verdict.Schedule.Faults;
            Changes += verdict.Schedule.MembershipChanges;
            NotApplied += verdict.MembershipNotApplied;
            Transfers += verdict.TransfersCompleted;
            ObjectsHandedOff += verdict.ObjectsHandedOff;
            Lost += verdict.LostWrites;
            foreach (var kind in new[] { StepKind.Join, StepKind.Leave, StepKind.ForceRemove, StepKind.Replace })
            {
                _applied[kind] = _applied.GetValueOrDefault(kind) + verdict.MembershipApplied(kind);
            }
        }
    }

    public override string ToString() =>
        $"{Schedules} schedules, {Operations} operations ({Acknowledged} acknowledged, {Writes} acknowledged writes), {Faults} faults, "
        + $"{Changes} membership changes: {Applied(StepKind.Join)} joins, {Applied(StepKind.Leave)} leaves, {Applied(StepKind.ForceRemove)} force-removes, "
        + $"{Applied(StepKind.Replace)} replaces applied, {NotApplied} refused, timed out or skipped; {Transfers} transfers, "
        + $"{ObjectsHandedOff} objects handed off; acknowledged writes lost: {Lost}";
}
