namespace RingCore.AntiEntropy;

/// <summary>How an exchange ended.</summary>
internal enum ExchangeOutcome
{
    /// <summary>The trees were equal (one request: the roots).</summary>
    Equal,

    /// <summary>Keys differed and were written where a side lacked the merge.</summary>
    Repaired,

    /// <summary>The peer was down.</summary>
    PeerDown,

    /// <summary>A tree on either side was not built yet (or the peer serves none).</summary>
    NotBuilt,

    /// <summary>A handoff of the partition runs on either side.</summary>
    HandoffRunning,

    /// <summary>A request timed out or a peer answered something wrong; the next round tries again.</summary>
    Failed,
}

/// <summary>One exchange: the tree (partition, N), the peer, how it ended, the keys found different and written, and what it cost.</summary>
internal sealed record ExchangeResult(int Partition, int N, string Peer, ExchangeOutcome Outcome, int KeysDiffering, int KeysRepaired, int Requests, long Bytes);

/// <summary>A round of exchanges, in (partition, N, peer) order.</summary>
internal sealed record ExchangeRound(IReadOnlyList<ExchangeResult> Exchanges)
{
    public int KeysRepaired => Exchanges.Sum(exchange => exchange.KeysRepaired);

    public long Bytes => Exchanges.Sum(exchange => exchange.Bytes);

    public int Count(ExchangeOutcome outcome) => Exchanges.Count(exchange => exchange.Outcome == outcome);
}
