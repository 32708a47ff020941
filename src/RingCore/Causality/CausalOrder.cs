namespace RingCore.Causality;

/// <summary>
/// How two causal histories relate: the four outcomes of comparing version vectors
/// (Parker et al., "Detection of Mutual Inconsistency in Distributed Systems", 1983;
/// riak_core's vclock:descends/2 asked both ways).
/// </summary>
public enum CausalOrder
{
    /// <summary>Both histories hold exactly the same events.</summary>
    Equal,

    /// <summary>The first history is a strict subset of the second: it happened before, and is superseded.</summary>
    Before,

    /// <summary>The first history is a strict superset of the second: it supersedes the second.</summary>
    After,

    /// <summary>Each history holds an event the other lacks: neither supersedes the other, and both values are kept as siblings.</summary>
    Concurrent,
}
