namespace RingCore.Node;

/// <summary>
/// What a stop of a <see cref="RingNode"/> finished and what it could not
/// (<see cref="RingNode.StopAsync"/>): the actors still in a turn or unable to store their
/// state when the deadline came, and the errors met. The stores are closed either way.
/// </summary>
public sealed class RingNodeStopResult
{
    internal RingNodeStopResult(IReadOnlyList<string> unfinishedActors, IReadOnlyList<Exception> errors, TimeSpan elapsed)
    {
        UnfinishedActors = unfinishedActors;
        Errors = errors;
        Elapsed = elapsed;
    }

    /// <summary>True when every actor passivated (state stored, queue drained) and every store closed without error.</summary>
    public bool IsComplete => UnfinishedActors.Count == 0 && Errors.Count == 0;

    /// <summary>
    /// The actors (<c>type 'key'</c>) still there at the deadline: stuck in a handler, still
    /// draining their queue, or unable to store their state. Messages still queued for them failed
    /// (an Ask with <see cref="ObjectDisposedException"/>); a state change never acknowledged may be
    /// lost (WriteBehind changes since the last flush, the turn that was running).
    /// </summary>
    public IReadOnlyList<string> UnfinishedActors { get; }

    /// <summary>Why each unfinished actor stayed, and stores that failed to close.</summary>
    public IReadOnlyList<Exception> Errors { get; }

    /// <summary>How long the stop took.</summary>
    public TimeSpan Elapsed { get; }
}
