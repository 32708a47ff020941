namespace RingCore.Replication;

/// <summary>
/// A get, put or delete that could not reach its quorum (Dynamo section 4.5): the message says
/// what was needed, how many replicas answered within the timeout, and which did not.
/// </summary>
public sealed class QuorumException : Exception
{
    /// <summary>Creates the exception with a message that says what was needed and who answered.</summary>
    public QuorumException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public QuorumException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// For a put that its coordinating replica recorded but that fewer than W acknowledged: what
    /// that replica stored (riak's return_body: the attempted value and any concurrent siblings,
    /// with their context), so a retry written with that context supersedes the failed attempt
    /// instead of becoming its sibling (the attempt may still reach other replicas through read
    /// repair). Null when nothing is known to be recorded.
    /// </summary>
    public GetResult? PartialWrite { get; internal set; }

    /// <summary>Creates the exception with a generic message.</summary>
    public QuorumException()
        : base("The request could not reach its quorum.")
    {
    }
}
