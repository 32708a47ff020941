using Microsoft.Extensions.Logging;

namespace RingCore.Grpc;

/// <summary>
/// The log events of the gRPC transport, source-generated, in the peers' range of RingCore's
/// event ids (2xxx; this assembly uses 2200 to 2299), under the category <c>RingCore</c> as the
/// node's own events.
/// </summary>
internal static partial class GrpcTransportLog
{
    [LoggerMessage(2200, LogLevel.Information, "Node {Node} listens for peers on {Address} (gRPC, {Security})")]
    public static partial void Listening(ILogger logger, string node, string address, string security);

    [LoggerMessage(2201, LogLevel.Information, "Node {Node} stopped its gRPC transport: {Dropped} queued messages dropped")]
    public static partial void Stopped(ILogger logger, string node, long dropped);

    [LoggerMessage(2202, LogLevel.Information, "Node {Node} opened its stream to {Peer} at {Address}")]
    public static partial void StreamOpened(ILogger logger, string node, string peer, string address);

    [LoggerMessage(2203, LogLevel.Warning, "Node {Node} lost its stream to {Peer}: {Reason}; dialing again in {DelayMs} ms")]
    public static partial void StreamLost(ILogger logger, string node, string peer, string reason, long delayMs);

    [LoggerMessage(2204, LogLevel.Debug, "Node {Node} could not open a stream to {Peer} at {Address}: {Reason}; dialing again in {DelayMs} ms")]
    public static partial void DialFailed(ILogger logger, string node, string peer, string address, string reason, long delayMs);

    [LoggerMessage(2205, LogLevel.Warning, "Node {Node} refused a stream from {Peer} ({Remote}): {Reason}")]
    public static partial void StreamRefused(ILogger logger, string node, string peer, string remote, string reason);

    [LoggerMessage(2206, LogLevel.Warning, "Node {Node} ended the stream from {Peer}: a message did not parse as a peer envelope ({Reason}); INVALID_ARGUMENT")]
    public static partial void MalformedEnvelope(ILogger logger, string node, string peer, string reason);

    [LoggerMessage(2207, LogLevel.Warning, "Node {Node} ended the stream from {Peer}: a message was over the limit of {LimitBytes} bytes; RESOURCE_EXHAUSTED")]
    public static partial void OversizedMessage(ILogger logger, string node, string peer, int limitBytes);

    [LoggerMessage(2208, LogLevel.Warning,
        "Node {Node}'s queue to {Peer} is full ({Messages} messages, {Bytes} bytes): messages to it are dropped until it drains")]
    public static partial void QueueFull(ILogger logger, string node, string peer, int messages, long bytes);

    [LoggerMessage(2209, LogLevel.Error, "Node {Node}'s receiver threw on a message from {Peer}; the message is dropped and the stream goes on")]
    public static partial void ReceiverFailed(ILogger logger, Exception error, string node, string peer);

    [LoggerMessage(2210, LogLevel.Debug, "Node {Node} accepted a stream from {Peer} ({Remote})")]
    public static partial void StreamAccepted(ILogger logger, string node, string peer, string remote);

    [LoggerMessage(2211, LogLevel.Debug, "Node {Node}'s stream from {Peer} ended: {Reason}")]
    public static partial void StreamEnded(ILogger logger, string node, string peer, string reason);

    [LoggerMessage(2212, LogLevel.Warning, "Node {Node} refused a call to {Method} from {Remote}: {Reason}; UNAUTHENTICATED")]
    public static partial void CallRefused(ILogger logger, string node, string method, string remote, string reason);

    [LoggerMessage(2213, LogLevel.Error, "Node {Node} failed a call to {Method}; INTERNAL")]
    public static partial void CallFailed(ILogger logger, Exception error, string node, string method);

    [LoggerMessage(2214, LogLevel.Warning, "Node {Node} refused a TLS connection: {Reason}")]
    public static partial void CertificateRefused(ILogger logger, string node, string reason);
}
