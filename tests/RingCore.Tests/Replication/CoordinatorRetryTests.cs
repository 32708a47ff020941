using System.Text;
using RingCore.Causality;
using RingCore.Replication;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;

namespace RingCore.Tests.Replication;

/// <summary>
/// riak_kv's retry_put_coordinator_failure: a put whose coordinator crashed but is not yet seen
/// down (the failure detector needs about 2 s) is coordinated by the next replica after half
/// its timeout, instead of failing until the crash is detected.
/// </summary>
public sealed class CoordinatorRetryTests
{
    private static readonly RingCore.Node.RingNodeOptions Retrying = new() { Replication = { RetryPutCoordinatorFailure = true } };

    [Fact]
    public void Without_the_option_a_put_whose_coordinator_just_crashed_fails_until_the_crash_is_detected()
    {
        var simulator = new Simulator(71);
        var error = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, 64, nVal: 3, seed: 71, time: simulator.Time, scheduler: simulator.Scheduler);
            string key = Enumerable.Range(0, 1000).Select(i => $"k{i}").First(k => cluster.Node("n1").PrimariesOf("b", k)[0] == "n3");
            cluster.Crash("n3");
            return await Assert.ThrowsAsync<QuorumException>(() =>
                cluster.Node("n1").PutAsync("b", key, Encoding.UTF8.GetBytes("v1"), CausalContext.Empty, new QuorumOptions { Timeout = TimeSpan.FromSeconds(1) }));
        }, TimeSpan.FromHours(1));

        Assert.Contains("could not be coordinated by n3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_put_whose_coordinator_just_crashed_is_coordinated_by_the_next_replica_and_acknowledged()
    {
        var simulator = new Simulator(71);
        var (values, retries) = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, 64, nVal: 3, seed: 71, time: simulator.Time, scheduler: simulator.Scheduler, nodeOptions: Retrying);
            string key = Enumerable.Range(0, 1000).Select(i => $"k{i}").First(k => cluster.Node("n1").PrimariesOf("b", k)[0] == "n3");
            cluster.Crash("n3"); // the others still see n3 up: the put goes to it first
            Assert.True(cluster.SeesUp("n1", "n3"));

            await cluster.Node("n1").PutAsync("b", key, Encoding.UTF8.GetBytes("v1"), CausalContext.Empty, new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) });
            var read = await cluster.Node("n2").GetAsync("b", key);
            return (read.Values.Select(v => Encoding.UTF8.GetString(v.Span)).ToArray(), cluster.Metrics.Count("ringcore.put.coordinator_retries"));
        }, TimeSpan.FromHours(1));

        Assert.Equal(["v1"], values);
        Assert.Equal(1, retries);
    }

    [Fact]
    public void A_put_whose_coordinator_answers_in_time_is_coordinated_once()
    {
        var simulator = new Simulator(73);
        long retries = simulator.Run(async () =>
        {
            var cluster = new TestCluster(5, 64, nVal: 3, seed: 73, time: simulator.Time, scheduler: simulator.Scheduler, nodeOptions: Retrying);
            for (int i = 0; i < 50; i++)
            {
                await cluster.Node("n1").PutAsync("b", $"k{i}", Encoding.UTF8.GetBytes("v"), CausalContext.Empty);
            }

            return cluster.Metrics.Count("ringcore.put.coordinator_retries");
        }, TimeSpan.FromHours(1));

        Assert.Equal(0, retries);
    }
}
