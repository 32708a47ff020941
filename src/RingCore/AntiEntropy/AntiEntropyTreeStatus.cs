namespace RingCore.AntiEntropy;

/// <summary>
/// One Merkle tree of a node, as <c>RingNode.AntiEntropyStatus</c> reports it (riak-admin
/// aae-status): the preference list it covers, whether it is built, and its exchanges so far.
/// </summary>
/// <param name="Partition">The partition whose keys the tree holds.</param>
/// <param name="N">The N of the preference list (the buckets' N).</param>
/// <param name="Keys">Keys in the tree.</param>
/// <param name="Built">Whether the tree is built and exchanges (a partition with no store here counts as built and empty).</param>
/// <param name="BuiltAt">When its last build finished (null: never, or no store to build from).</param>
/// <param name="Age">How long ago that was.</param>
/// <param name="LastExchange">When its last exchange finished (null: none yet).</param>
/// <param name="KeysRepaired">Keys its exchanges wrote on either side, in all.</param>
/// <param name="Exchanges">Exchanges it finished.</param>
public sealed record AntiEntropyTreeStatus(int Partition, int N, int Keys, bool Built, DateTimeOffset? BuiltAt, TimeSpan? Age,
    DateTimeOffset? LastExchange, long KeysRepaired, long Exchanges);
