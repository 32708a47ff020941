namespace RingCore.Replication;

/// <summary>Settings of a node's replicated store.</summary>
public sealed class ReplicationOptions
{
    /// <summary>
    /// The properties of buckets (and actor types) not configured on their own. Defaults to
    /// null: riak's N=3, R=2, W=2, with N capped at the members of the ring the node starts
    /// with and R and W at N, so a node that runs alone stores one replica and acknowledges it
    /// (a write cannot wait for W distinct nodes that do not exist).
    /// </summary>
    public BucketProperties? DefaultBucket { get; set; }

    /// <summary>The default bucket of a ring of <paramref name="members"/> members: <see cref="DefaultBucket"/>, or riak's defaults capped at the members.</summary>
    internal BucketProperties DefaultBucketFor(int members)
    {
        if (DefaultBucket is { } configured)
        {
            return configured;
        }

        int n = Math.Min(BucketProperties.Default.N, Math.Max(1, members));
        int quorum = Math.Min(BucketProperties.Default.R, n);
        return new BucketProperties { N = n, R = quorum, W = Math.Min(BucketProperties.Default.W, n) };
    }
}
