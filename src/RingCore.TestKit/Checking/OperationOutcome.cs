namespace RingCore.TestKit.Checking;

/// <summary>How a client operation ended.</summary>
public enum OperationOutcome
{
    /// <summary>Not ended (only while the run goes on).</summary>
    Pending,

    /// <summary>Acknowledged: the write reached its quorum, the read returned.</summary>
    Ok,

    /// <summary>
    /// Failed with a clear error (a quorum not met, a remote actor's error): a write may or may
    /// not have taken effect, since the coordinating replica may have recorded it before the
    /// error (Jepsen's <c>:info</c>).
    /// </summary>
    Failed,

    /// <summary>Timed out: a write may or may not have taken effect.</summary>
    TimedOut,

    /// <summary>Failed with an error the client could not have caused: a bug, reported by the checker.</summary>
    Unexpected,

    /// <summary>
    /// Failed with an error that says it did not take effect: nothing was sent to any replica
    /// (e.g. <see cref="RingCore.Actors.ActorUnavailableException"/>, thrown before a message
    /// leaves the node). Jepsen's <c>:fail</c>: the checker assumes it never happened.
    /// </summary>
    NotApplied,
}
