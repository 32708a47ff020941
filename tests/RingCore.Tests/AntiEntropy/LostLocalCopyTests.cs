using System.Text;
using RingCore.Causality;
using RingCore.Node;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.AntiEntropy;

/// <summary>
/// A replica whose copy of a key was lost beneath it (deleted or rotten on disk) coordinates the
/// key's next write without claiming the events it no longer holds (riak_kv's KV679, its second
/// half: riak_kv_vnode's new_key_epoch). It wrote the new value under its replica id with a
/// counter past every one it had issued, so the new clock entry said "saw this id's events up to
/// here", and the other replicas dropped the acknowledged values the lost copy had carried as
/// superseded, though the write never saw them (found by the anti-entropy partition suite,
/// issue 14: a blind put through a node whose store had been damaged). The vnode now takes a new
/// replica id when a write meets the loss: an object that fails to decode, or a key its built
/// Merkle trees hold and its store lacks.
/// </summary>
public sealed class LostLocalCopyTests
{
    private const string Bucket = "b";
    private static readonly QuorumOptions Quorum = new() { Timeout = TimeSpan.FromSeconds(2) };
    private static readonly QuorumOptions All = new() { R = 3, Timeout = TimeSpan.FromSeconds(2) };

    [Theory]
    [InlineData(StoreDamage.Delete, true)]
    [InlineData(StoreDamage.Corrupt, true)]
    [InlineData(StoreDamage.Corrupt, false)] // no trees: the object that fails to decode still tells
    public void Blind_writes_coordinated_where_the_copy_was_lost_keep_the_values_the_other_replicas_hold(StoreDamage damage, bool antiEntropy)
    {
        var simulator = new Simulator(83);
        var values = simulator.Run(async () =>
        {
            var options = new RingNodeOptions { AntiEntropy = { Enabled = antiEntropy } };
            await using var cluster = new TestCluster(3, 16, nVal: 3, seed: 83, time: simulator.Time, scheduler: simulator.Scheduler, nodeOptions: options);
            string coordinator = cluster.Node("n1").PrimariesOf(Bucket, "k")[0]; // the first primary coordinates a put
            await cluster.Node(coordinator).PutAsync(Bucket, "k", "first"u8.ToArray(), CausalContext.Empty, Quorum);
            await cluster.Node(coordinator).BuildTreesAsync(); // as on a node up for longer than an exchange interval
            await cluster.DamageStoresAsync(coordinator, 1.0, seed: 1, damage); // its only object: the key's copy

            // Blind: each sees nothing. The first finds the key absent here, the second finds what the first wrote.
            await cluster.Node(coordinator).PutAsync(Bucket, "k", "second"u8.ToArray(), CausalContext.Empty, Quorum);
            await cluster.Node(coordinator).PutAsync(Bucket, "k", "third"u8.ToArray(), CausalContext.Empty, Quorum);
            var read = await cluster.Node(coordinator).GetAsync(Bucket, "k", All);
            return read.Values.Select(value => Encoding.UTF8.GetString(value.Span)).Order(StringComparer.Ordinal).ToArray();
        }, TimeSpan.FromHours(1));

        Assert.Equal(["first", "second", "third"], values); // concurrent writes: siblings, none lost
    }

    [Fact]
    public void A_write_coordinated_where_the_copy_was_lost_supersedes_what_its_context_saw()
    {
        var simulator = new Simulator(89);
        var values = simulator.Run(async () =>
        {
            await using var cluster = new TestCluster(3, 16, nVal: 3, seed: 89, time: simulator.Time, scheduler: simulator.Scheduler);
            string coordinator = cluster.Node("n1").PrimariesOf(Bucket, "k")[0];
            await cluster.Node(coordinator).PutAsync(Bucket, "k", "first"u8.ToArray(), CausalContext.Empty, Quorum);
            var seen = await cluster.Node(coordinator).GetAsync(Bucket, "k", Quorum);
            await cluster.DamageStoresAsync(coordinator, 1.0, seed: 1, StoreDamage.Delete);

            await cluster.Node(coordinator).PutAsync(Bucket, "k", "second"u8.ToArray(), seen.Context, Quorum);
            var read = await cluster.Node(coordinator).GetAsync(Bucket, "k", All);
            return read.Values.Select(value => Encoding.UTF8.GetString(value.Span)).ToArray();
        }, TimeSpan.FromHours(1));

        Assert.Equal(["second"], values); // it saw "first": that one is superseded, as without the loss
    }
}
