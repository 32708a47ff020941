using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RingCore.Claim;
using RingCore.Grpc;
using RingCore.Hosting;
using RingCore.Node;
using RingCore.Tests.Hosting;
using static RingCore.Tests.Grpc.GrpcTestPeers;

namespace RingCore.Tests.Grpc;

/// <summary><c>AddRingCore().UseGrpcTransport()</c>: a generic host's node on the network, configured from <c>RingCore:Grpc</c>.</summary>
public sealed class GrpcHostingTests
{
    [Fact]
    public async Task A_hosted_node_on_the_grpc_transport_is_reachable_and_another_node_joins_it()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["RingCore:NodeName"] = "hosted@127.0.0.1:0",
            ["RingCore:PartitionCount"] = "16",
            ["RingCore:Grpc:ClusterSecret"] = Secret,
            ["RingCore:Grpc:ReconnectMinDelay"] = "00:00:00.020",
            ["RingCore:Grpc:ReconnectMaxDelay"] = "00:00:00.200",
        }, ring => ring.UseGrpcTransport());
        await host.StartAsync();
        var hosted = host.Services.GetRequiredService<IRingNodeAccessor>().Node;
        Assert.Matches(@"^hosted@127\.0\.0\.1:[1-9]\d*$", hosted.Name); // the port bound, not 0

        await using var transport = await Start("joiner");
        await using var joiner = await RingNode.StartAsync(new RingNodeOptions { NodeName = transport.LocalNode, PartitionCount = 16 },
            RingClaim.Initial(16, [transport.LocalNode]).Ring, transport);
        await joiner.JoinAsync(hosted.Name); // answered by the hosted node, the claimant of its one-member ring
        await hosted.CommitAsync();
        await Eventually(() => joiner.Ring.Members.Length == 2, "the joiner has the committed ring");

        await host.StopAsync();
        await Eventually(() => !transport.IsReachable(hosted.Name), "the host's stop stopped the transport too");
    }

    [Theory]
    [InlineData("RingCore:Grpc:MaxPayloadBytes", "10")]
    [InlineData("RingCore:Grpc:ConnectTimeout", "soon")]
    [InlineData("RingCore:Grpc:ClusterSecret", null)]
    [InlineData("RingCore:Grpc:Tls:CertificatePath", "no-such-certificate.pem")]
    public async Task A_bad_grpc_setting_fails_the_host_start_naming_it(string setting, string? value)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["RingCore:NodeName"] = "hosted@127.0.0.1:0",
            ["RingCore:Grpc:ClusterSecret"] = Secret,
        };
        configuration[setting] = value;
        using var host = TestHosts.Build(configuration, ring => ring.UseGrpcTransport());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains(setting, error.Message + error.InnerException?.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IRingNodeAccessor>().Node);
    }
}
