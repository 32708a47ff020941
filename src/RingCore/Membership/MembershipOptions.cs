namespace RingCore.Membership;

/// <summary>Settings of ring gossip and of requests to the claimant (riak_core_gossip, riak_core_claimant).</summary>
public sealed class MembershipOptions
{
    /// <summary>
    /// How often a node sends its ring to a random peer. Defaults to 1 second. A node also sends
    /// it at once after it installs a change, so this bounds how long a lost message delays
    /// convergence, not how fast a change spreads.
    /// </summary>
    public TimeSpan GossipInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a membership request (join, stage, plan, commit, a transfer's report) waits for the claimant's answer. Defaults to 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
