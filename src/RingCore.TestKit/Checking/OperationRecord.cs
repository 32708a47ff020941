using RingCore.TestKit.Schedules;

namespace RingCore.TestKit.Checking;

/// <summary>
/// One client operation in a run's history: what was asked, when it was invoked and completed
/// (virtual time), how it ended, what it wrote or read, and which values the causal context it
/// wrote with covered (what it superseded).
/// </summary>
public sealed class OperationRecord
{
    internal OperationRecord(int index, ScheduleStep step, string node, TimeSpan invoked, TimeSpan deadline)
    {
        Index = index;
        Step = step;
        Node = node;
        Invoked = invoked;
        Deadline = deadline;
    }

    /// <summary>The step's index in its schedule.</summary>
    public int Index { get; }

    /// <summary>The schedule step this operation ran.</summary>
    public ScheduleStep Step { get; }

    /// <summary>The node the client sent it to.</summary>
    public string Node { get; }

    /// <summary>When the client invoked it.</summary>
    public TimeSpan Invoked { get; }

    /// <summary>How long the client waits at most: the operation must end within it (liveness).</summary>
    public TimeSpan Deadline { get; }

    /// <summary>When it ended.</summary>
    public TimeSpan Completed { get; internal set; }

    /// <summary>How it ended.</summary>
    public OperationOutcome Outcome { get; internal set; }

    /// <summary>The error of a failed, timed-out or unexpected end.</summary>
    public string? Error { get; internal set; }

    /// <summary>The unique value a put wrote; null for other operations.</summary>
    public string? Written { get; internal set; }

    /// <summary>The values the context of a put or delete covered: the ones it supersedes.</summary>
    public IReadOnlyList<string> Superseded { get; internal set; } = [];

    /// <summary>The values a get (or a put's returned body) showed the client.</summary>
    public IReadOnlyList<string> Observed { get; internal set; } = [];

    /// <summary>An actor ask's message.</summary>
    public object? Message { get; internal set; }

    /// <summary>An actor ask's reply.</summary>
    public object? Reply { get; internal set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"#{Index} {Step} via {Node}: {Outcome}{(Error is null ? "" : $" ({Error})")} after {(Completed - Invoked).TotalMilliseconds:0} ms";
}
