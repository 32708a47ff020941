using RingCore.TestKit.Checking;
using RingCore.TestKit.Schedules;

namespace RingCore.PartitionTests;

/// <summary>The figures of a run of anti-entropy schedules, as the suite reports them (and docs/partition-suite.md quotes them).</summary>
internal sealed class AntiEntropyTotals
{
    private readonly Lock _gate = new();

    public int Schedules { get; private set; }

    public long Operations { get; private set; }

    public long Acknowledged { get; private set; }

    public long Faults { get; private set; }

    public int DamagedWhileDown { get; private set; }

    public int DamagedWhileUp { get; private set; }

    public long Deleted { get; private set; }

    public long Corrupted { get; private set; }

    public long DamagedAtHeal { get; private set; }

    public long Exchanges { get; private set; }

    public long ExchangesRepaired { get; private set; }

    public long KeysRepaired { get; private set; }

    public long Bytes { get; private set; }

    public long CorruptObjectsRead { get; private set; }

    public long ReadRepairsWhileWaiting { get; private set; }

    /// <summary>Schedules whose damaged node stayed up until the end, so only a tree rebuild showed it the damage.</summary>
    public int WaitedForRebuild { get; private set; }

    /// <summary>The longest wait for converged primaries after the heal, when no rebuild was needed.</summary>
    public TimeSpan LongestWait { get; private set; }

    /// <summary>The longest wait for converged primaries after the heal, when the damaged node's trees had to be rebuilt.</summary>
    public TimeSpan LongestWaitForRebuild { get; private set; }

    public long Lost { get; private set; }

    public void Add(ScheduleVerdict verdict)
    {
        var aae = verdict.AntiEntropy;
        bool rebuild = aae.Bound > 4 * new RingCore.AntiEntropy.AntiEntropyOptions().ExchangeInterval;
        lock (_gate)
        {
            Schedules++;
            Operations += verdict.Schedule.Operations;
            Acknowledged += verdict.Acknowledged;
            Faults += verdict.Schedule.Faults;
            if (aae.DamagedNode is not null)
            {
                DamagedWhileDown += aae.DamagedWhileDown ? 1 : 0;
                DamagedWhileUp += aae.DamagedWhileDown ? 0 : 1;
            }

            Deleted += aae.ObjectsDeleted;
            Corrupted += aae.ObjectsCorrupted;
            DamagedAtHeal += aae.ObjectsDamagedAtHeal;
            Exchanges += aae.Exchanges;
            ExchangesRepaired += aae.ExchangesRepaired;
            KeysRepaired += aae.KeysRepaired;
            Bytes += aae.Bytes;
            CorruptObjectsRead += aae.CorruptObjectsRead;
            ReadRepairsWhileWaiting += aae.ReadRepairsWhileWaiting;
            WaitedForRebuild += rebuild ? 1 : 0;
            if (aae.ConvergedAfter is { } waited)
            {
                if (rebuild)
                {
                    LongestWaitForRebuild = waited > LongestWaitForRebuild ? waited : LongestWaitForRebuild;
                }
                else
                {
                    LongestWait = waited > LongestWait ? waited : LongestWait;
                }
            }

            Lost += verdict.LostWrites;
        }
    }

    public override string ToString() =>
        $"{Schedules} schedules, {Operations} operations ({Acknowledged} acknowledged), {Faults} faults; store damage: {DamagedWhileDown} nodes damaged while down, "
        + $"{DamagedWhileUp} while up ({WaitedForRebuild} up until the end, seen by a tree rebuild), {Deleted} objects deleted and {Corrupted} corrupted, "
        + $"{DamagedAtHeal} still damaged at the heal; {Exchanges} exchanges ({ExchangesRepaired} repaired), {KeysRepaired} keys repaired, {Bytes} bytes, "
        + $"{CorruptObjectsRead} corrupt objects read, {ReadRepairsWhileWaiting} read repairs after the heal (the schedule's last reads); longest wait for converged primaries {LongestWait.TotalSeconds:0} s "
        + $"({LongestWaitForRebuild.TotalSeconds:0} s with a rebuild); acknowledged writes lost: {Lost}";
}
