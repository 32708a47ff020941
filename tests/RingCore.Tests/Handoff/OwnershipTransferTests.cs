using System.Text;
using RingCore.Causality;
using RingCore.Node;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Handoff;

/// <summary>
/// Ownership transfers carry the data on their own. With hinted handoff on, a former owner's pass
/// over what it holds after the flip hands the same objects to the new primaries, so a transfer
/// that reported itself done without sending anything went unnoticed by every end-state check
/// (the membership partition suite's included: shown by breaking it on purpose). With hinted
/// handoff off, only the transfers move data, and the new primaries must hold every key.
/// </summary>
public sealed class OwnershipTransferTests
{
    [Fact]
    public void With_hinted_handoff_off_the_transfers_alone_give_the_new_owners_every_key()
    {
        var simulator = new Simulator(21);
        var lacking = simulator.Run(async () =>
        {
            var options = new RingNodeOptions { Handoff = { HintedHandoff = false } };
            var cluster = new TestCluster(3, ringSize: 16, nVal: 3, seed: 21, time: simulator.Time, scheduler: simulator.Scheduler, nodeOptions: options);
            var quorum = new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) }; // no faults: every primary gets every key
            var keys = Enumerable.Range(0, 100).Select(i => $"k{i}").ToArray();
            foreach (var key in keys)
            {
                await cluster.Node("n1").PutAsync("b", key, Encoding.UTF8.GetBytes(key), CausalContext.Empty, quorum);
            }

            await cluster.JoinAsync("n4", "n5");
            while (cluster.Ring.Transfers.Length > 0 || cluster.Ring.Members.Length < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), simulator.Time);
            }

            await Task.Delay(TimeSpan.FromSeconds(5), simulator.Time); // the last flips reach every node
            var lacking = new List<string>();
            foreach (var key in keys)
            {
                lacking.AddRange((await cluster.PrimariesLackingAsync("b", key)).Select(node => $"{key}@{node}"));
            }

            return lacking;
        }, TimeSpan.FromHours(1));

        Assert.Empty(lacking);
    }
}
