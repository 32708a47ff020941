using RingCore.TestKit.Schedules;

namespace RingCore.TestKit.Checking;

/// <summary>One membership change of a run (join, leave, force-remove, replace): when it ran, how it ended and why.</summary>
public sealed class MembershipStepRecord
{
    internal MembershipStepRecord(int index, ScheduleStep step, TimeSpan invoked)
    {
        Index = index;
        Step = step;
        Invoked = invoked;
    }

    /// <summary>The step's index in its schedule.</summary>
    public int Index { get; }

    /// <summary>The schedule step.</summary>
    public ScheduleStep Step { get; }

    /// <summary>When the change was sent (changes run one at a time, so a change may start after its step's time).</summary>
    public TimeSpan Invoked { get; }

    /// <summary>When it ended.</summary>
    public TimeSpan Completed { get; internal set; }

    /// <summary>How it ended.</summary>
    public MembershipStepOutcome Outcome { get; internal set; }

    /// <summary>Why it was refused, timed out or skipped.</summary>
    public string? Error { get; internal set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"#{Index} {Step}: {Outcome}{(Error is null ? "" : $" ({Error})")} after {(Completed - Invoked).TotalMilliseconds:0} ms";
}
