namespace RingCore.Storage.Faster;

/// <summary>When a FASTER-backed store makes a write durable, relative to acknowledging it.</summary>
public enum FasterCommitMode
{
    /// <summary>
    /// A put or delete completes only once a commit (a FASTER checkpoint) that covers it has
    /// completed, so an acknowledged write survives a crash of the process. Concurrent writers
    /// share one commit (group commit), so the cost is one checkpoint per batch, not per write.
    /// </summary>
    CommitBeforeAcknowledge,

    /// <summary>
    /// A put or delete completes at once and is committed with the others every
    /// <see cref="FasterStorageOptions.CommitInterval"/>: faster, and a crash loses at most the
    /// writes of the last interval (and of a commit in progress).
    /// </summary>
    CommitInterval,
}
