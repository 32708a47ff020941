namespace RingCore.AntiEntropy;

/// <summary>
/// Settings of active anti-entropy (riak_kv's <c>anti_entropy</c>, riak_kv_entropy_manager):
/// each vnode keeps a Merkle tree per preference list it serves, and the primaries of a
/// preference list exchange trees on an interval, repairing every key they hold differently
/// without anyone reading it. Set the same on every node.
/// </summary>
public sealed class AntiEntropyOptions
{
    /// <summary>
    /// Whether this node keeps trees and exchanges them. Defaults to true (riak's
    /// <c>anti_entropy = active</c>). Off, convergence relies on read repair and hinted handoff;
    /// a peer's exchange with this node finds no tree and is skipped.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often a round of exchanges starts: each tree this node is a primary of exchanges once
    /// with each later primary of its preference list. Defaults to 15 seconds (riak's tick); a
    /// round still running when the next is due finishes first.
    /// </summary>
    public TimeSpan ExchangeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The most exchanges this node starts at once (riak's anti_entropy_concurrency). Defaults to 2.</summary>
    public int MaxConcurrentExchanges { get; set; } = 2;

    /// <summary>
    /// How long a built tree is trusted before it is rebuilt from a fold of its store (which also
    /// notices objects changed or lost on disk beneath the node). Defaults to 7 days (riak's
    /// anti_entropy_expire). Trees are also built at every start.
    /// </summary>
    public TimeSpan TreeRebuildInterval { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long one request of an exchange waits for the peer's answer before the exchange is abandoned. Defaults to 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most bytes of objects in one message of a repair (a single larger object travels alone). Defaults to 1 MiB.</summary>
    public int RepairBatchBytes { get; set; } = 1024 * 1024;
}
