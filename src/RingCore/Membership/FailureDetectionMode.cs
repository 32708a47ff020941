namespace RingCore.Membership;

/// <summary>Where a node learns which members of its ring are up (<see cref="FailureDetectionOptions.Mode"/>).</summary>
public enum FailureDetectionMode
{
    /// <summary>
    /// The default: every node sends heartbeats to every other member, and a phi-accrual failure
    /// detector (Hayashibara et al. 2004, as Akka's) marks a member down when its heartbeats stop
    /// for longer than their history makes plausible, and up again at its next heartbeat.
    /// </summary>
    Heartbeats = 0,

    /// <summary>
    /// The transport's own view (<see cref="Transport.ITransport.IsReachable"/>), with no
    /// heartbeats. On the simulated network that view is exact and immediate (a crash or a
    /// partition is seen at once), which suits tests about something other than failure
    /// detection; a real network has no such oracle, so a production node keeps <see cref="Heartbeats"/>.
    /// </summary>
    TransportReachability = 1,
}
