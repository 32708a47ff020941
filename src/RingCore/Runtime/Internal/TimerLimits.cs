namespace RingCore.Runtime;

/// <summary>
/// The longest a .NET timer waits (<see cref="ITimer.Change"/>: 4,294,967,294 ms, about 49.7
/// days). Every setting and argument that becomes a timer is checked against it, so a too-long
/// timeout fails with a message that names it instead of the timer's own "dueTime" error.
/// </summary>
internal static class TimerLimits
{
    public static readonly TimeSpan MaxDueTime = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>"49.7 days", for messages.</summary>
    public const string MaxDueTimeText = "49.7 days";
}
