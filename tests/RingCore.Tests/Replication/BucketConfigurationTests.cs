using RingCore.Causality;
using RingCore.Node;
using RingCore.Replication;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

namespace RingCore.Tests.Replication;

/// <summary>A bucket's properties as requests see them: the node remembers the last request's bucket, and a configuration change is seen at once.</summary>
public sealed class BucketConfigurationTests
{
    [Fact]
    public async Task A_bucket_configured_after_requests_used_it_is_seen_by_the_very_next_request()
    {
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 });
        const string bucket = "b";
        await node.PutAsync(bucket, "k1", Bytes("a"), CausalContext.Empty);
        await node.PutAsync(bucket, "k1", Bytes("b"), CausalContext.Empty);
        Assert.Equal(["a", "b"], Texts(await node.GetAsync(bucket, "k1"))); // siblings: the defaults keep both

        node.ConfigureBucket(bucket, new BucketProperties { N = 1, R = 1, W = 1, LastWriteWins = true });
        await node.PutAsync(bucket, "k2", Bytes("a"), CausalContext.Empty);
        await node.PutAsync(bucket, "k2", Bytes("b"), CausalContext.Empty);
        Assert.Equal(["b"], Texts(await node.GetAsync(bucket, "k2")));        // last write wins, at once

        // Another string with the same name is the same bucket.
        Assert.Equal(["b"], Texts(await node.GetAsync(new string(bucket.ToCharArray()), "k2")));
    }
}
