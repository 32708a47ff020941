namespace RingCore.Handoff;

/// <summary>Settings of ownership and hinted handoff (riak_core_handoff_manager, riak_core_handoff_sender).</summary>
public sealed class HandoffOptions
{
    /// <summary>
    /// Whether this node hands back what it holds for other nodes: a fallback's copies once their
    /// primary is back, and a former owner's last writes after a transfer. Defaults to true.
    /// Turned off, those objects stay until a read repairs their primaries (riak with handoff
    /// disabled); ownership transfers still run. For tests of quorum behaviour, and for relying
    /// on anti-entropy alone.
    /// </summary>
    public bool HintedHandoff { get; set; } = true;

    /// <summary>The most transfers this node sends at once (riak_core's handoff_concurrency). Defaults to 2.</summary>
    public int MaxConcurrentTransfers { get; set; } = 2;

    /// <summary>The most objects in one batch. Defaults to 500.</summary>
    public int BatchObjects { get; set; } = 500;

    /// <summary>The most bytes (keys and values) in one batch; a single larger object travels alone. Defaults to 1 MiB.</summary>
    public int BatchBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a batch waits for the receiver's acknowledgement before the transfer stops and starts again later. Defaults to 30 seconds.</summary>
    public TimeSpan BatchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a node looks for work when nothing prompted it: transfers to start again and
    /// objects it holds for other nodes (hints) to hand back. Ring changes and nodes coming back
    /// prompt it at once. Defaults to 10 seconds.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
}
