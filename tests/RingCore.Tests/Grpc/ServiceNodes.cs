using Grpc.Core;
using Grpc.Net.Client;
using RingCore.Actors;
using RingCore.Claim;
using RingCore.Grpc;
using RingCore.Grpc.Admin;
using RingCore.Grpc.Client;
using RingCore.Node;
using RingCore.Tests.Actors;

namespace RingCore.Tests.Grpc;

/// <summary>A node alone on a gRPC transport on 127.0.0.1 that serves the admin and client services, and clients of them.</summary>
internal sealed class ServiceNode : IAsyncDisposable
{
    private readonly GrpcChannel _channel;

    private ServiceNode(GrpcTransport transport, RingNode? node)
    {
        Transport = transport;
        Node = node;
        _channel = GrpcChannel.ForAddress(transport.ListenAddress, new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        Kv = new RingKv.RingKvClient(_channel);
        Actors = new RingActors.RingActorsClient(_channel);
        Admin = new RingAdmin.RingAdminClient(_channel);
    }

    public GrpcTransport Transport { get; }

    public RingNode? Node { get; }

    public string Name => Transport.LocalNode;

    public RingKv.RingKvClient Kv { get; }

    public RingActors.RingActorsClient Actors { get; }

    public RingAdmin.RingAdminClient Admin { get; }

    public CallInvoker Invoker => _channel.CreateCallInvoker();

    /// <summary>The cluster secret, as the admin service wants it.</summary>
    public static Metadata Secret { get; } = new() { { "ringcore-secret", GrpcTestPeers.Secret } };

    /// <summary>Starts a transport and, unless <paramref name="serve"/> is false, a one-member node on it that the services serve; the counter actor type is defined.</summary>
    public static async Task<ServiceNode> StartAsync(string name, Action<GrpcTransportOptions>? transportOptions = null, Action<RingNodeOptions>? nodeOptions = null,
        bool serve = true, int partitions = 8)
    {
        var transport = await GrpcTestPeers.Start(name, transportOptions);
        if (!serve)
        {
            return new ServiceNode(transport, null);
        }

        try
        {
            var options = new RingNodeOptions { NodeName = transport.LocalNode, PartitionCount = partitions };
            nodeOptions?.Invoke(options);
            var ring = RingClaim.Initial(partitions, [transport.LocalNode]).Ring;
            var node = await RingNode.StartAsync(options, ring, transport, actors => CounterActor.Define(actors, GrpcCluster.CounterType, ActorDurability.WriteThrough));
            transport.Serve(node);
            return new ServiceNode(transport, node);
        }
        catch
        {
            await transport.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        await Transport.DisposeAsync();
    }
}

/// <summary>Calls that carry raw bytes, to send what a generated client never would.</summary>
internal static class RawCalls
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    /// <summary>A unary call of <paramref name="service"/>/<paramref name="method"/> with <paramref name="request"/> as its message; the status it ended with.</summary>
    public static async Task<StatusCode> UnaryAsync(CallInvoker invoker, string service, string method, byte[] request, Metadata? headers = null)
    {
        var call = new Method<byte[], byte[]>(MethodType.Unary, service, method, Bytes, Bytes);
        try
        {
            await invoker.AsyncUnaryCall(call, null, new CallOptions(headers), request);
            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            return error.StatusCode;
        }
    }

    /// <summary>
    /// A unary call over plain HTTP/2 with a grpc-timeout header: unlike Grpc.Net.Client, which
    /// also enforces a deadline itself, this client waits for whatever status the server sends.
    /// </summary>
    public static async Task<(string? Status, string? Message)> WithServerDeadlineAsync(Uri address, string path, byte[] message, string timeout, Metadata headers)
    {
        using var http = new HttpClient();
        var framed = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path)) 
        {
            Content = new ByteArrayContent(framed),
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        foreach (var header in headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        using var response = await http.SendAsync(request);
        _ = await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) =>
            response.TrailingHeaders.TryGetValues(name, out var values) ? values.First()
            : response.Headers.TryGetValues(name, out values) ? values.First() : null;
        return (Header("grpc-status"), Header("grpc-message") ?? $"HTTP {(int)response.StatusCode} {response.Version} {response.Headers} {response.TrailingHeaders}");
    }
}
