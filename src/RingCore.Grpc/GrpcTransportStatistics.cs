namespace RingCore.Grpc;

/// <summary>What a <see cref="GrpcTransport"/> did so far (the same figures go to the <c>RingCore</c> meter).</summary>
/// <param name="Sent">Messages written to a peer's stream (delivered unless that stream broke at once).</param>
/// <param name="Received">Messages from peers handed to this node.</param>
/// <param name="Dropped">Messages <see cref="GrpcTransport.Send"/> dropped because the peer's queue was full, or still queued when the transport stopped.</param>
/// <param name="StreamsOpened">Streams to peers that came up (the first, and every reconnect).</param>
/// <param name="StreamsRefused">Streams from peers this node refused: no or a wrong secret, no node name, another node's address, or not ready yet; and TLS connections refused for a client certificate that does not chain to the CA.</param>
/// <param name="MalformedEnvelopes">Streams from peers ended because their bytes did not parse as an envelope (INVALID_ARGUMENT).</param>
/// <param name="OversizedMessages">Streams from peers ended because a message was over the limit (RESOURCE_EXHAUSTED).</param>
public readonly record struct GrpcTransportStatistics(
    long Sent, long Received, long Dropped, long StreamsOpened, long StreamsRefused, long MalformedEnvelopes, long OversizedMessages);
