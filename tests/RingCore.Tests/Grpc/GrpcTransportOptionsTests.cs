using RingCore.Grpc;

namespace RingCore.Tests.Grpc;

/// <summary>The transport's settings: a bad value fails the start with the setting's name.</summary>
public sealed class GrpcTransportOptionsTests
{
    [Theory]
    [InlineData("NodeName", null)]
    [InlineData("NodeName", "n1@127.0.0.1:99999")]
    [InlineData("NodeName", "n\u00e9@127.0.0.1:1")]
    [InlineData("ListenAddress", "n1")]
    [InlineData("ClusterSecret", null)]
    [InlineData("ClusterSecret", "  ")]
    [InlineData("MaxPayloadBytes", 1024)]
    [InlineData("SendQueueLimitMessages", 0)]
    [InlineData("SendQueueLimitBytes", 1024L)]
    [InlineData("ReconnectMinDelay", "00:00:00")]
    [InlineData("ReconnectMaxDelay", "00:00:00.010")]
    [InlineData("ConnectTimeout", "02:00:00")]
    [InlineData("KeepAliveInterval", "-00:00:01")]
    [InlineData("AddressBook:n2", "127.0.0.1")]
    public async Task A_bad_setting_fails_the_start_naming_it(string setting, object? value)
    {
        var options = GrpcTestPeers.Options("n1");
        switch (setting)
        {
            case "NodeName":
                options.NodeName = (string?)value;
                break;
            case "ListenAddress":
                options.NodeName = (string?)value;
                break;
            case "ClusterSecret":
                options.ClusterSecret = (string?)value;
                break;
            case "MaxPayloadBytes":
                options.MaxPayloadBytes = (int)value!;
                break;
            case "SendQueueLimitMessages":
                options.SendQueueLimitMessages = (int)value!;
                break;
            case "SendQueueLimitBytes":
                options.SendQueueLimitBytes = (long)value!;
                break;
            case "ReconnectMinDelay":
                options.ReconnectMinDelay = TimeSpan.Parse((string)value!);
                break;
            case "ReconnectMaxDelay":
                options.ReconnectMaxDelay = TimeSpan.Parse((string)value!);
                break;
            case "ConnectTimeout":
                options.ConnectTimeout = TimeSpan.Parse((string)value!);
                break;
            case "KeepAliveInterval":
                options.KeepAliveInterval = TimeSpan.Parse((string)value!);
                break;
            default:
                options.AddressBook["n2"] = (string)value!;
                break;
        }

        var error = await Assert.ThrowsAsync<ArgumentException>(() => GrpcTransport.StartAsync(options));
        Assert.Contains($"RingCore:Grpc:{setting} must be", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_secret_never_appears_in_an_error()
    {
        var options = GrpcTestPeers.Options("n1", o => o.ClusterSecret = "secret\u00e9");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => GrpcTransport.StartAsync(options));
        Assert.DoesNotContain("secret\u00e9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_name_cannot_be_bound_and_the_error_says_what_to_set()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => GrpcTransport.StartAsync(GrpcTestPeers.Options("n1", o => o.NodeName = "n1@db.example.com:8101")));
        Assert.Contains("RingCore:Grpc:ListenAddress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_in_use_fails_the_start_and_the_first_transport_keeps_serving()
    {
        await using var first = await GrpcTestPeers.Start("n1");
        first.Attach(new RecordingReceiver());
        await Assert.ThrowsAnyAsync<IOException>(() => GrpcTransport.StartAsync(GrpcTestPeers.Options("n1", o => o.NodeName = first.LocalNode)));

        await using var sender = await GrpcTestPeers.Start("a");
        sender.Send(first.LocalNode, new byte[] { 1 });
        await GrpcTestPeers.Eventually(() => first.Statistics.Received == 1, "the first transport still serves");
    }

    [Fact]
    public async Task A_plain_name_listens_where_told_and_keeps_its_name()
    {
        await using var plain = await GrpcTransport.StartAsync(GrpcTestPeers.Options("n1", o =>
        {
            o.NodeName = "plain";
            o.ListenAddress = "127.0.0.1:0";
        }));
        Assert.Equal("plain", plain.LocalNode);
        Assert.NotEqual(0, plain.ListenAddress.Port);
        var received = new RecordingReceiver();
        plain.Attach(received);

        await using var sender = await GrpcTransport.StartAsync(GrpcTestPeers.Options("a", o => o.AddressBook["plain"] = $"127.0.0.1:{plain.ListenAddress.Port}"));
        sender.Send("plain", new byte[] { 1 });
        await GrpcTestPeers.Eventually(() => received.Count == 1, "the message reached the node listed in the address book");
    }

    [Fact]
    public void The_defaults_fit_a_stored_object_and_its_frame()
    {
        var options = new GrpcTransportOptions();
        Assert.Equal(2 * RingCore.Storage.StorageLimits.MaxObjectBytes, options.MaxPayloadBytes);
        Assert.True(options.SendQueueLimitBytes >= options.MaxPayloadBytes);
    }
}
