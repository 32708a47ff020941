namespace RingCore.Transport;

/// <summary>Settings of the node-to-node request layer (<c>PeerRpc</c>): how long requests and replies are remembered.</summary>
public sealed class PeerRpcOptions
{
    /// <summary>
    /// How long a node remembers a request it sent (waiting for its reply) and a request it
    /// received (to serve a duplicate of it once). Defaults to 5 minutes. A reply later than
    /// that is dropped, so an Ask with a longer timeout ends in its timeout; a duplicate later
    /// than that would be served again. Both are swept every <see cref="SweepInterval"/>.
    /// </summary>
    public TimeSpan RequestRetention { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often forgotten requests are swept: positive, at most 49.7 days and at most <see cref="RequestRetention"/>. Defaults to 30 seconds.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many received requests the duplicate window holds at most. Defaults to 65,536 (a few
    /// MiB): past it the oldest is forgotten early, so a flood of requests cannot grow the window
    /// without bound; turning it down makes a late duplicate more likely to be served twice.
    /// </summary>
    public int DuplicateWindowCapacity { get; set; } = 65_536;

    /// <summary>
    /// The most bytes of replies the duplicate window keeps at once. Defaults to 8 MiB; past it a
    /// reply is not kept (a duplicate of its request is then dropped unanswered), so the window
    /// cannot grow to <see cref="DuplicateWindowCapacity"/> times <see cref="ReplayedReplyLimitBytes"/>.
    /// </summary>
    public long ReplayedReplyBudgetBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// The largest reply the duplicate window keeps to answer a duplicated request again.
    /// Defaults to 64 KiB; a duplicate of a request with a larger reply is dropped (its first
    /// reply is on its way, or lost like any message).
    /// </summary>
    public int ReplayedReplyLimitBytes { get; set; } = 64 * 1024;
}
