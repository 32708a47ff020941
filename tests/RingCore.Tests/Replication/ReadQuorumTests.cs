using RingCore.Causality;
using RingCore.Replication;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

using RingCore.Tests.TestKit;

namespace RingCore.Tests.Replication;

/// <summary>
/// A read waits for R answers, counted the way the bucket says (fake time, so the order in which
/// replicas answer is fixed): the stale or not-found answers that arrive first do not end it.
/// With R + W > N, a write acknowledged by W replicas is in every R of them (Dynamo section 4.5).
/// The nodes take the network's exact reachability: the tests isolate a replica and write at once.
/// </summary>
public sealed class ReadQuorumTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(100);

    // Hinted handoff would hand the fallback's copy to the stale primaries as soon as the
    // partition heals; these tests keep them stale on purpose, to look at the read quorum alone.
    private static RingCore.Node.RingNodeOptions NoHints() => new() { Handoff = { HintedHandoff = false } };

    [Fact]
    public async Task A_write_acknowledged_at_W2_is_seen_by_an_R2_read_whose_first_answer_is_a_stale_replica()
    {
        await using var sim = new FakeTimeCluster(members: 3, ringSize: 16, seed: 21, defaults: new BucketProperties { N = 3, R = 2, W = 2 },
            nodeOptions: Detection.Exact());
        var cluster = sim.Cluster;
        var (p0, p1, p2) = Three(Primaries(cluster, "b", "k"));

        cluster.Isolate(p2); // p2 misses the write; with three members nobody stands in for it
        sim.Run(sim.Node(p0).PutAsync("b", "k", Bytes("v1"), CausalContext.Empty));
        cluster.Heal();
        Assert.Null(sim.Run(Replica(cluster, p2, "b", "k")));

        // The read is coordinated by the stale replica, which answers itself at once ("not
        // found"); the two that hold the write answer 100 ms later. One answer is not R = 2.
        cluster.Network.Slow(p0, Slow);
        cluster.Network.Slow(p1, Slow);
        var started = sim.Time.GetUtcNow();
        var read = sim.Run(sim.Node(p2).GetAsync("b", "k"));

        Assert.Equal(["v1"], Texts(read));
        Assert.True(sim.Time.GetUtcNow() - started >= Slow, "the read waited for a replica that holds the write");
    }

    [Theory]
    // riak's default, notfound_ok: p2's "not found" counts, so R = 2 ends with p0's answer, and
    // v2, acknowledged at W = 2 through a fallback, is not seen (the sloppy quorum's price).
    [InlineData(true, "v1")]
    // notfound_ok off: a "not found" does not count, so the read waits for p1 and sees v2 too.
    [InlineData(false, "v1,v2")]
    public async Task An_R2_read_counts_not_found_answers_only_when_NotFoundOk(bool notFoundOk, string expected)
    {
        // Four members: the fourth stands in for a primary that is cut off (sloppy quorum), so a
        // write can be acknowledged at W = 2 by one primary and a fallback.
        await using var sim = new FakeTimeCluster(members: 4, ringSize: 16, seed: 23, defaults: new BucketProperties { N = 3, R = 2, W = 2 },
            nodeOptions: Detection.Exact(NoHints()));
        var cluster = sim.Cluster;
        var (p0, p1, p2) = Three(Primaries(cluster, "b", "k"));
        var fallback = cluster.Members.Single(m => m != p0 && m != p1 && m != p2);

        // v1 on p0 and p1; then v2, written blind on p1's side of a partition, on p1 and the
        // fallback: p0 = {v1}, p1 = {v1, v2}, p2 = nothing.
        cluster.Isolate(p2);
        sim.Run(sim.Node(p0).PutAsync("b", "k", Bytes("v1"), CausalContext.Empty));
        cluster.Heal();
        cluster.Partition([p1, fallback], [p0, p2]);
        sim.Run(sim.Node(p1).PutAsync("b", "k", Bytes("v2"), CausalContext.Empty));
        cluster.Heal();
        Assert.Null(sim.Run(Replica(cluster, p2, "b", "k")));
        Assert.Equal(1, sim.Run(Replica(cluster, p0, "b", "k"))!.Count);
        Assert.Equal(2, sim.Run(Replica(cluster, p1, "b", "k"))!.Count);

        // Coordinated by p2: its own "not found" comes at once, p0's v1 next, p1's v1 and v2 100 ms later.
        cluster.Network.Slow(p1, Slow);
        var read = sim.Run(sim.Node(p2).GetAsync("b", "k", new QuorumOptions { NotFoundOk = notFoundOk }));
        Assert.Equal(expected.Split(','), Texts(read));
    }

    [Fact]
    public async Task With_NotFoundOk_false_a_write_acknowledged_at_W2_is_found_although_two_stale_replicas_answer_first()
    {
        await using var sim = new FakeTimeCluster(members: 4, ringSize: 16, seed: 24, defaults: new BucketProperties { N = 3, R = 2, W = 2 },
            nodeOptions: Detection.Exact(NoHints()));
        var cluster = sim.Cluster;
        var (p0, p1, p2) = Three(Primaries(cluster, "b", "k"));
        var fallback = cluster.Members.Single(m => m != p0 && m != p1 && m != p2);

        // Acknowledged by p0 and the fallback that stands in for p1: p1 and p2 never saw it.
        cluster.Partition([p0, fallback], [p1, p2]);
        sim.Run(sim.Node(p0).PutAsync("b", "k", Bytes("v1"), CausalContext.Empty));
        cluster.Heal();
        Assert.Null(sim.Run(Replica(cluster, p1, "b", "k")));
        Assert.Null(sim.Run(Replica(cluster, p2, "b", "k")));

        // Coordinated by p1: its own "not found" and p2's come first, p0's v1 100 ms later. Two
        // "not found" answers are not R = 2 found ones: the read waits for every primary.
        cluster.Network.Slow(p0, Slow);
        var read = sim.Run(sim.Node(p1).GetAsync("b", "k", new QuorumOptions { NotFoundOk = false }));
        Assert.True(read.Found);
        Assert.Equal(["v1"], Texts(read));
    }

    private static (string, string, string) Three(string[] primaries)
    {
        Assert.Equal(3, primaries.Distinct().Count());
        return (primaries[0], primaries[1], primaries[2]);
    }
}
