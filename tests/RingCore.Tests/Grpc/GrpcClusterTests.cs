using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RingCore.Causality;
using RingCore.Hashing;
using RingCore.Membership;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Tests.Actors;
using static RingCore.Tests.Grpc.GrpcTestPeers;

namespace RingCore.Tests.Grpc;

/// <summary>Three RingNodes over gRPC on loopback: the replicated store and the actors across real sockets, and a peer's bad bytes.</summary>
public sealed class GrpcClusterTests
{
    /// <summary>Quorum waits long enough for a loaded machine.</summary>
    private static readonly QuorumOptions Quorum = new() { Timeout = Patience };

    [Fact]
    public async Task Three_nodes_over_grpc_store_on_one_read_on_the_others_and_ask_an_actor_on_another_node()
    {
        await using var cluster = await GrpcCluster.StartAsync(3);
        var (n1, n2, n3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);

        await n1.PutAsync("b", "k", "v"u8.ToArray(), CausalContext.Empty, Quorum);
        foreach (var reader in new[] { n2, n3 })
        {
            var read = await reader.GetAsync("b", "k", Quorum);
            Assert.Equal("v", Encoding.UTF8.GetString(Assert.Single(read.Values).Span));
        }

        foreach (var node in cluster.Nodes)
        {
            // N = 3 on 3 nodes: every node holds a replica (the last may land after the W answers).
            await Eventually(() => node.ReadReplicaAsync("b", "k"u8.ToArray()).Result is not null, $"{node.Name} holds a replica");
        }

        // An actor whose first primary is n2: asked from n1, it lives on n2, and n3 sees its state.
        string key = KeyWithFirstPrimary(n1, n2.Name);
        await n1.GetActor(GrpcCluster.CounterType, key).Ask<object?>(new CounterActor.Increment(5), Patience);
        Assert.Equal(5, await n3.GetActor(GrpcCluster.CounterType, key).Ask<long>(new CounterActor.Get(), Patience));
        Assert.Equal(1, n2.ActiveActors);
        Assert.Equal(0, n1.ActiveActors);
        Assert.All(cluster.Transports, transport => Assert.Equal(0, transport.Statistics.Dropped));
    }

    [Fact]
    public async Task With_transport_reachability_a_stopped_node_is_marked_down_and_writes_go_on_with_the_others()
    {
        await using var cluster = await GrpcCluster.StartAsync(3, configure: options => options.FailureDetection.Mode = FailureDetectionMode.TransportReachability);
        var (n1, n2, n3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await Eventually(() => n1.Watcher.Snapshot().Up.All(up => up), "n1 sees every member up over its streams");

        await n3.DisposeAsync();
        await cluster.Transports[2].DisposeAsync();
        int down = n1.Ring.IndexOfMember(n3.Name);
        await Eventually(() => !n1.Watcher.Snapshot().Up[down], "n1 marked the stopped node down");

        await n1.PutAsync("b", "while-down", "v"u8.ToArray(), CausalContext.Empty, Quorum);
        var read = await n2.GetAsync("b", "while-down", Quorum);
        Assert.Equal("v", Encoding.UTF8.GetString(Assert.Single(read.Values).Span));
    }

    [Fact]
    public async Task Garbage_in_an_envelope_is_counted_as_malformed_and_the_node_keeps_serving()
    {
        await using var cluster = await GrpcCluster.StartAsync(3);
        var (n1, n2) = (cluster.Nodes[0], cluster.Nodes[1]);
        using var malformed = new MetricCollector<long>(n1.Metrics.Meter, "ringcore.peer.malformed");

        // Authenticated, as n2: the transport delivers the frame, and n1's PeerRpc drops what does not parse.
        using (var raw = OpenRaw(cluster.Transports[0], n2.Name, Secret))
        {
            await raw.WriteAsync(Envelope([0xFF, 0xFF, 0xFF, 0xFF], [0x0A, 0x7F, 0x01]));
            await Eventually(() => malformed.GetMeasurementSnapshot().Sum(m => m.Value) == 2, "both frames were counted as malformed");

            // Bytes that are no envelope at all end that stream, not the node.
            await raw.WriteAsync([0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
            Assert.Equal(StatusCode.InvalidArgument, await raw.StatusAsync());
        }

        Assert.Equal(1, cluster.Transports[0].Statistics.MalformedEnvelopes);
        await n2.PutAsync("b", "after", "v"u8.ToArray(), CausalContext.Empty, Quorum);
        var read = await n1.GetAsync("b", "after", Quorum);
        Assert.Equal("v", Encoding.UTF8.GetString(Assert.Single(read.Values).Span));
        string key = KeyWithFirstPrimary(n2, n1.Name);
        Assert.Equal(0, await n2.GetActor(GrpcCluster.CounterType, key).Ask<long>(new CounterActor.Get(), Patience));
    }

    /// <summary>A key of the counter type whose preference list starts at <paramref name="owner"/> (the position XXH64 seeded with the type name).</summary>
    private static string KeyWithFirstPrimary(RingNode node, string owner)
    {
        var ring = node.Ring;
        ulong seed = XxHash64.Hash(Encoding.UTF8.GetBytes(GrpcCluster.CounterType));
        for (int i = 0; ; i++)
        {
            string key = $"actor-{i}";
            if (ring.OwnerMemberOf(ring.PartitionOf(XxHash64.Hash(Encoding.UTF8.GetBytes(key), seed))).Name == owner)
            {
                return key;
            }
        }
    }
}
