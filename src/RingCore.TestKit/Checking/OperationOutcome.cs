namespace RingCore.TestKit.Checking;

/// <summary>How a client operation ended.</summary>
public enum OperationOutcome
{
    /// <summary>Not ended (only while the run goes on).</summary>
    Pending,

    /// <summary>Acknowledged: the write reached its quorum, the read returned.</summary>
    Ok,

    /// <summary>Failed with a clear error (quorum not met, actor unavailable): a write may or may not have taken effect.</summary>
    Failed,

    /// <summary>Timed out: a write may or may not have taken effect.</summary>
    TimedOut,

    /// <summary>Failed with an error the client could not have caused: a bug, reported by the checker.</summary>
    Unexpected,
}
