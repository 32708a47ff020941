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

    /// <summary>
    /// Whether a put whose coordinator (the first up replica) has not answered in half the put's
    /// timeout is coordinated by the next replica instead (riak_kv's
    /// <c>retry_put_coordinator_failure</c>). Defaults to false. Turned on, a put keeps working
    /// while a crashed coordinator is not yet seen down (the failure detector takes about 2 s);
    /// the price: when the first coordinator was only slow, or its answer was lost, it recorded
    /// the write too, and the value shows twice as siblings (under two dots) until a write with
    /// their context resolves them. Nothing is lost either way.
    /// </summary>
    public bool RetryPutCoordinatorFailure { get; set; }

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
