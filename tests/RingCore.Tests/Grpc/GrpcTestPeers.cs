using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RingCore.Grpc;
using RingCore.Grpc.Protocol;
using RingCore.Transport;

namespace RingCore.Tests.Grpc;

/// <summary>Transports on 127.0.0.1 with free ports, a receiver that records, and a raw gRPC client that can send what a RingCore node never would.</summary>
internal static class GrpcTestPeers
{
    public const string Secret = "test-cluster-secret";

    /// <summary>Generous for a loaded 2-core machine: tests poll for their condition and finish as soon as it holds.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static GrpcTransportOptions Options(string name, Action<GrpcTransportOptions>? configure = null)
    {
        var options = new GrpcTransportOptions
        {
            NodeName = $"{name}@127.0.0.1:0",
            ClusterSecret = Secret,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        return options;
    }

    public static Task<GrpcTransport> Start(string name, Action<GrpcTransportOptions>? configure = null) => GrpcTransport.StartAsync(Options(name, configure));

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <see cref="Patience"/>.</summary>
    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>A raw client of the peer service: any metadata, any bytes; <paramref name="address"/> and <paramref name="handler"/> (TLS settings) override the server's own.</summary>
    public static RawPeerStream OpenRaw(GrpcTransport server, string? node, string? secret, string? target = null, Uri? address = null, HttpMessageHandler? handler = null)
    {
        var channel = GrpcChannel.ForAddress(address ?? server.ListenAddress,
            new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null, HttpHandler = handler, DisposeHttpClient = true });
        var headers = new Metadata();
        if (node is not null)
        {
            headers.Add("ringcore-node", node);
        }

        if (secret is not null)
        {
            headers.Add("ringcore-secret", secret);
        }

        if (target is not null)
        {
            headers.Add("ringcore-target", target);
        }

        var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(RawConnect, null, new CallOptions(headers));
        return new RawPeerStream(channel, call);
    }

    public static byte[] Envelope(params byte[][] frames)
    {
        var envelope = new PeerEnvelope();
        foreach (var frame in frames)
        {
            envelope.Frames.Add(ByteString.CopyFrom(frame));
        }

        return envelope.ToByteArray();
    }

    private static readonly Method<byte[], byte[]> RawConnect = new(
        MethodType.DuplexStreaming, "ringcore.v1.PeerTransport", "Connect", Marshallers.Create(bytes => bytes, bytes => bytes), Marshallers.Create(bytes => bytes, bytes => bytes));
}

/// <summary>A stream opened by <see cref="GrpcTestPeers.OpenRaw"/>.</summary>
internal sealed class RawPeerStream(GrpcChannel channel, AsyncDuplexStreamingCall<byte[], byte[]> call) : IDisposable
{
    /// <summary>Writes one message of raw bytes; a write to a call the server already ended may fail, which the tests ignore (the status tells).</summary>
    public async Task WriteAsync(byte[] message)
    {
        try
        {
            await call.RequestStream.WriteAsync(message);
        }
        catch (RpcException)
        {
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>Closes the request side and returns the status the server ended the call with.</summary>
    public async Task<StatusCode> StatusAsync()
    {
        try
        {
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception error) when (error is RpcException or InvalidOperationException)
        {
        }

        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }

            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            Detail = error.Status.Detail;
            return error.StatusCode;
        }
    }

    /// <summary>The detail of the status <see cref="StatusAsync"/> returned, when it was an error.</summary>
    public string? Detail { get; private set; }

    public Task<Metadata> HeadersAsync() => call.ResponseHeadersAsync;

    public void Dispose()
    {
        call.Dispose();
        channel.Dispose();
    }
}

/// <summary>Records what a transport delivers, in order; can hold the delivering thread to play a slow node.</summary>
internal sealed class RecordingReceiver : ITransportReceiver
{
    private readonly ConcurrentQueue<(string From, byte[] Payload)> _received = new();

    public ManualResetEventSlim Open { get; } = new(true);

    public IReadOnlyList<(string From, byte[] Payload)> Received => [.. _received];

    public int Count => _received.Count;

    public void Receive(string node, ReadOnlyMemory<byte> payload)
    {
        Open.Wait();
        _received.Enqueue((node, payload.ToArray()));
    }
}
