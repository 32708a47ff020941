using Grpc.Core;
using Grpc.Net.Client;
using RingCore.Client;
using RingCore.Grpc.Admin;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// One node's admin service (proto/ringcore_admin.proto) as ringctl calls it: a channel to the
/// node, the secret in every call's metadata, and the command's deadline on every call.
/// </summary>
internal sealed class AdminConnection : IDisposable
{
    private const string SecretHeader = "ringcore-secret";
    private readonly GrpcChannel _channel;
    private readonly Metadata _headers = [];
    private readonly TimeSpan _timeout;

    public AdminConnection(string node, string? secret, TimeSpan timeout)
    {
        Node = node;
        _timeout = timeout;
        _channel = GrpcChannel.ForAddress(NodeEndpoint.Parse(node), new GrpcChannelOptions
        {
            MaxReceiveMessageSize = RingClientOptions.DefaultMaxMessageBytes,
            HttpHandler = new SocketsHttpHandler { ConnectTimeout = timeout },
        });
        if (secret is not null)
        {
            _headers.Add(SecretHeader, secret);
        }

        Admin = new RingAdmin.RingAdminClient(_channel);
    }

    public AdminConnection(NodeTarget.Target target)
        : this(target.Node, target.Secret, target.Timeout)
    {
    }

    /// <summary>The node as the command line named it.</summary>
    public string Node { get; }

    public RingAdmin.RingAdminClient Admin { get; }

    /// <summary>Options for one call: the secret and a deadline of the command's timeout from now.</summary>
    public CallOptions Call(CancellationToken cancellationToken = default) => new(_headers, DateTime.UtcNow + _timeout, cancellationToken);

    public void Dispose() => _channel.Dispose();
}
