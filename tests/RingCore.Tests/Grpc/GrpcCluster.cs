using RingCore.Actors;
using RingCore.Claim;
using RingCore.Grpc;
using RingCore.Node;
using RingCore.Tests.Actors;

namespace RingCore.Tests.Grpc;

/// <summary>RingNodes over gRPC transports on 127.0.0.1 (free ports), with the counter actor type defined on each.</summary>
internal sealed class GrpcCluster : IAsyncDisposable
{
    public const string CounterType = "counter";

    private GrpcCluster(GrpcTransport[] transports, RingNode[] nodes)
    {
        Transports = transports;
        Nodes = nodes;
    }

    public GrpcTransport[] Transports { get; }

    public RingNode[] Nodes { get; }

    public static async Task<GrpcCluster> StartAsync(int count, int partitions = 16, Action<RingNodeOptions>? configure = null,
        Action<GrpcTransportOptions>? configureTransports = null)
    {
        var transports = new GrpcTransport[count];
        var nodes = new List<RingNode>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                transports[i] = await GrpcTestPeers.Start($"n{i + 1}", configureTransports);
            }

            // The names carry the bound ports, so the ring is made once every transport listens.
            var ring = RingClaim.Initial(partitions, transports.Select(transport => transport.LocalNode).ToArray()).Ring;
            foreach (var transport in transports)
            {
                var options = new RingNodeOptions { NodeName = transport.LocalNode, PartitionCount = partitions };
                configure?.Invoke(options);
                nodes.Add(await RingNode.StartAsync(options, ring, transport,
                    actors => CounterActor.Define(actors, CounterType, ActorDurability.WriteThrough)));
            }

            return new GrpcCluster(transports, [.. nodes]);
        }
        catch
        {
            await StopAsync(nodes, transports);
            throw;
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(Nodes, Transports));

    private static async Task StopAsync(IEnumerable<RingNode> nodes, IEnumerable<GrpcTransport?> transports)
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var transport in transports)
        {
            if (transport is not null)
            {
                await transport.DisposeAsync();
            }
        }
    }
}
