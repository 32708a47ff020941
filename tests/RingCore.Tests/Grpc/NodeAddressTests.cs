using RingCore.Grpc;

namespace RingCore.Tests.Grpc;

/// <summary>Node names as addresses: riak's name@host, with a port.</summary>
public sealed class NodeAddressTests
{
    [Theory]
    [InlineData("n1@127.0.0.1:8101", "127.0.0.1", 8101, "http://127.0.0.1:8101/")]
    [InlineData("n1@db-3.example.com:443", "db-3.example.com", 443, "http://db-3.example.com:443/")]
    [InlineData("n1@[::1]:8101", "::1", 8101, "http://[::1]:8101/")]
    [InlineData("a@b@10.0.0.1:1", "10.0.0.1", 1, "http://10.0.0.1:1/")]
    [InlineData("n1@127.0.0.1:0", "127.0.0.1", 0, "http://127.0.0.1:0/")]
    public void A_name_with_host_and_port_gives_its_address(string name, string host, int port, string uri)
    {
        Assert.True(NodeAddress.TryFromNodeName(name, out var address));
        Assert.Equal(new NodeAddress(host, port), address);
        Assert.Equal(uri, address.ToUri().ToString());
    }

    [Theory]
    [InlineData("n1")]
    [InlineData("@127.0.0.1:8101")]
    [InlineData("n1@127.0.0.1")]
    [InlineData("n1@127.0.0.1:")]
    [InlineData("n1@127.0.0.1:65536")]
    [InlineData("n1@127.0.0.1:-1")]
    [InlineData("n1@::1:8101")]
    [InlineData("n1@[::1:8101")]
    [InlineData("n1@[zz]:8101")]
    [InlineData("n1@host name:8101")]
    [InlineData("n1@host/x:8101")]
    [InlineData("n1@:8101")]
    public void A_name_without_a_readable_address_has_none(string name) => Assert.False(NodeAddress.TryFromNodeName(name, out _));

    [Fact]
    public void The_short_name_is_what_comes_before_the_last_at() =>
        Assert.Equal(["n1", "plain", "a@b"], new[] { "n1@127.0.0.1:1", "plain", "a@b@h:1" }.Select(NodeAddress.ShortName));
}
