using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Core;
using RingCore.Causality;
using RingCore.Grpc;
using RingCore.Replication;
using static RingCore.Tests.Grpc.GrpcTestPeers;

namespace RingCore.Tests.Grpc;

/// <summary>
/// TLS and mutual TLS between nodes (docs/grpc-transport.md, TLS), with certificates made in the
/// test: a cluster CA, a node certificate it signed, and a rogue one another CA signed.
/// </summary>
public sealed class GrpcTlsTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private static readonly StatusCode[] ConnectionFailures = [StatusCode.Unavailable, StatusCode.Internal];

    [Fact]
    public async Task Two_nodes_talk_over_TLS_one_with_a_PEM_certificate_and_one_with_a_PFX()
    {
        await using var a = await Start("a", options => certificates.NodePem(options));
        await using var b = await Start("b", options => certificates.NodePfx(options));
        var received = new RecordingReceiver();
        b.Attach(received);

        Assert.Equal("https", a.ListenAddress.Scheme);
        a.Send(b.LocalNode, new byte[] { 1, 2, 3 });
        await Eventually(() => received.Count == 1, "the message crossed TLS");
        Assert.Equal(a.LocalNode, received.Received[0].From);
        Assert.True(a.IsReachable(b.LocalNode));
    }

    [Fact]
    public async Task With_mutual_TLS_and_no_secret_the_nodes_authenticate_by_certificate_and_replicate()
    {
        await using var cluster = await GrpcCluster.StartAsync(2, configureTransports: options =>
        {
            options.ClusterSecret = null;
            certificates.NodePem(options, requireClientCertificate: true);
        });
        var (n1, n2) = (cluster.Nodes[0], cluster.Nodes[1]);

        var quorum = new QuorumOptions { Timeout = Patience };
        await n1.PutAsync("b", "k", "over mTLS"u8.ToArray(), CausalContext.Empty, quorum);
        var read = await n2.GetAsync("b", "k", quorum);
        Assert.Equal("over mTLS", Encoding.UTF8.GetString(Assert.Single(read.Values).Span));
        Assert.All(cluster.Transports, transport => Assert.Equal(0, transport.Statistics.StreamsRefused));
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused_in_the_handshake_even_with_the_secret()
    {
        await using var server = await Start("b", options => certificates.NodePem(options, requireClientCertificate: true));
        var received = new RecordingReceiver();
        server.Attach(received);
        await using var rogue = await Start("x", options => certificates.Rogue(options));

        rogue.Send(server.LocalNode, new byte[] { 1 });
        await Eventually(() => server.Statistics.StreamsRefused >= 2, "the rogue's handshakes were refused twice");
        Assert.False(rogue.IsReachable(server.LocalNode));
        Assert.Equal(0, received.Count);

        // Client certificates asked for but not required: a rogue one still fails the handshake.
        await using var lenient = await Start("c", options => certificates.NodePem(options));
        lenient.Attach(received);
        rogue.Send(lenient.LocalNode, new byte[] { 2 });
        await Eventually(() => lenient.Statistics.StreamsRefused >= 1, "the rogue's handshake with the lenient node was refused");
        Assert.False(rogue.IsReachable(lenient.LocalNode));
        Assert.Equal(0, received.Count);
    }

    [Fact]
    public async Task Without_a_client_certificate_a_caller_needs_the_secret_and_mutual_TLS_refuses_it_outright()
    {
        await using var lenient = await Start("b", options => certificates.NodePem(options));
        lenient.Attach(new RecordingReceiver());
        await using var strict = await Start("c", options => certificates.NodePem(options, requireClientCertificate: true));
        strict.Attach(new RecordingReceiver());

        using (var noSecret = OpenRaw(lenient, "a@127.0.0.1:1", secret: null, handler: TrustingTheClusterCa()))
        {
            Assert.Equal(StatusCode.Unauthenticated, await noSecret.StatusAsync());
        }

        using (var withSecret = OpenRaw(lenient, "a@127.0.0.1:1", Secret, handler: TrustingTheClusterCa()))
        {
            Assert.Equal(lenient.LocalNode, (await withSecret.HeadersAsync()).GetValue("ringcore-node"));
        }

        using var refused = OpenRaw(strict, "a@127.0.0.1:1", Secret, handler: TrustingTheClusterCa());
        // The handshake failed, so no call was made: the client reports the connection's failure
        // (UNAVAILABLE, or INTERNAL when the reset comes while it reads), never a hang or an OK.
        Assert.Contains(await refused.StatusAsync(), ConnectionFailures);
    }

    [Fact]
    public async Task A_cleartext_dialer_to_a_TLS_node_fails_cleanly_and_the_node_keeps_serving_TLS_peers()
    {
        await using var server = await Start("b", options => certificates.NodePem(options));
        var received = new RecordingReceiver();
        server.Attach(received);

        using (var raw = OpenRaw(server, "a@127.0.0.1:1", Secret, address: new Uri($"http://127.0.0.1:{server.ListenAddress.Port}/")))
        {
            Assert.Contains(await raw.StatusAsync(), ConnectionFailures);
        }

        await using var cleartext = await Start("a");
        cleartext.Send(server.LocalNode, new byte[] { 1 });
        await Task.Delay(300);
        Assert.False(cleartext.IsReachable(server.LocalNode));

        await using var peer = await Start("c", options => certificates.NodePem(options));
        peer.Send(server.LocalNode, new byte[] { 2 });
        await Eventually(() => received.Count == 1, "a TLS peer's message arrived");
        Assert.Equal([2], received.Received[0].Payload);
    }

    [Fact]
    public async Task A_dialer_refuses_a_server_whose_certificate_does_not_chain_to_its_CA()
    {
        await using var server = await Start("b", options => certificates.NodePem(options));
        var received = new RecordingReceiver();
        server.Attach(received);
        await using var dialer = await Start("a", options =>
        {
            certificates.NodePem(options);
            options.Tls.TrustedCaPath = certificates.RogueCaPath;
        });

        dialer.Send(server.LocalNode, new byte[] { 1 });
        await Task.Delay(500);
        Assert.False(dialer.IsReachable(server.LocalNode));
        Assert.Equal(0, received.Count);
    }

    [Theory]
    [InlineData("CertificatePath", "missing.pem", null)]
    [InlineData("CertificatePath", "garbage.pem", null)]
    [InlineData("KeyPath", "node.pem", "missing.key")]
    [InlineData("PfxPath", "missing.pfx", null)]
    [InlineData("PfxPassword", "node.pfx", "wrong-password")]
    [InlineData("TrustedCaPath", "node.pem", "missing-ca.pem")]
    [InlineData("RequireClientCertificate", null, null)]
    public async Task A_bad_TLS_setting_fails_the_start_naming_it(string setting, string? file, string? other)
    {
        var options = Options("n1");
        switch (setting)
        {
            case "CertificatePath":
                options.Tls.CertificatePath = certificates.PathOf(file!);
                break;
            case "KeyPath":
                options.Tls.CertificatePath = certificates.PathOf(file!);
                options.Tls.KeyPath = certificates.PathOf(other!);
                break;
            case "PfxPath":
                options.Tls.PfxPath = certificates.PathOf(file!);
                break;
            case "PfxPassword":
                options.Tls.PfxPath = certificates.PathOf(file!);
                options.Tls.PfxPassword = other;
                break;
            case "TrustedCaPath":
                certificates.NodePem(options);
                options.Tls.TrustedCaPath = certificates.PathOf(other!);
                break;
            default:
                options.Tls.RequireClientCertificate = true; // with no certificate and no CA
                break;
        }

        var error = await Assert.ThrowsAsync<ArgumentException>(() => GrpcTransport.StartAsync(options));
        Assert.Contains(setting == "PfxPassword" ? "RingCore:Grpc:Tls:PfxPath" : $"RingCore:Grpc:Tls:{setting}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_secret_is_accepted_only_with_mutual_TLS()
    {
        var options = Options("n1", options =>
        {
            options.ClusterSecret = null;
            certificates.NodePem(options);
        });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => GrpcTransport.StartAsync(options));
        Assert.Contains("RingCore:Grpc:ClusterSecret", error.Message, StringComparison.Ordinal);
        Assert.Contains("RequireClientCertificate", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A handler that trusts the cluster CA's server certificates and presents no client certificate.</summary>
    private SocketsHttpHandler TrustingTheClusterCa()
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(certificates.CaPath);
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 server && chain.Build(server);
                },
            },
        };
    }
}
