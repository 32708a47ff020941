using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>
/// One key on a few replicas, under some causality mechanism: what the sibling-explosion
/// patterns drive, so the same client behaviour runs on dotted version vector sets and on
/// the per-replica version vectors without dots that they replace.
/// </summary>
internal interface IKeyReplicas
{
    /// <summary>A client's write coordinated by <paramref name="replica"/>; returns the context of the reply (riak's return_body).</summary>
    VersionVector Put(int replica, VersionVector context, string value);

    /// <summary>A client's read of <paramref name="replica"/>: the context it returns.</summary>
    VersionVector Read(int replica);

    /// <summary><paramref name="from"/> sends what it holds to <paramref name="to"/>, which merges it in.</summary>
    void Replicate(int from, int to);

    /// <summary>The values <paramref name="replica"/> holds for the key.</summary>
    IReadOnlyList<string> Values(int replica);
}
