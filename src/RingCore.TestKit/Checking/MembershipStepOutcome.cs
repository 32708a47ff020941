namespace RingCore.TestKit.Checking;

/// <summary>How a membership change of a schedule ended.</summary>
public enum MembershipStepOutcome
{
    /// <summary>Not ended (only while the run goes on).</summary>
    Pending,

    /// <summary>Committed: the claimant installed the ring with the change, and transfers run.</summary>
    Applied,

    /// <summary>The claimant refused it, or no valid member was reachable to ask (the message says why): nothing changed.</summary>
    Refused,

    /// <summary>The claimant did not answer in time (cut off by a partition, crashed), or the node asked crashed while it waited: the change may or may not have been committed.</summary>
    TimedOut,

    /// <summary>
    /// Not sent: the cluster as it was when the step came due would have become invalid (fewer
    /// than N valid members, a force-remove of a node that is up, a replace of a member that is
    /// not valid), as an operator would not have typed it.
    /// </summary>
    Skipped,
}
