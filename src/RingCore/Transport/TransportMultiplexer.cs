namespace RingCore.Transport;

/// <summary>
/// Shares one node's <see cref="ITransport"/> between the services that talk to peers (the
/// replicated store, the actor runtime), the way Erlang distribution carries every riak_core
/// service over one connection: each service gets a channel, and a message carries its channel
/// in its first byte.
/// </summary>
/// <remarks>
/// A channel is itself an <see cref="ITransport"/>, so a service is written against the seam and
/// does not know it shares it. Disposing a channel does nothing; the owner of the multiplexer
/// disposes the underlying transport. A message for a channel nobody opened, or an empty one, is
/// counted in <see cref="UnroutableMessages"/> and dropped.
/// </remarks>
public sealed class TransportMultiplexer : ITransportReceiver
{
    private readonly ITransport _transport;
    private readonly TransportChannel?[] _channels = new TransportChannel?[256];
    private long _unroutable;

    /// <summary>Takes over <paramref name="transport"/>: attaches itself as its receiver.</summary>
    /// <exception cref="InvalidOperationException">The transport already has a receiver.</exception>
    public TransportMultiplexer(ITransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        transport.Attach(this);
    }

    /// <summary>Messages that named no open channel and were dropped.</summary>
    public long UnroutableMessages => Interlocked.Read(ref _unroutable);

    /// <summary>Opens channel <paramref name="channel"/>; every node must use the same number for the same service.</summary>
    /// <exception cref="InvalidOperationException">The channel is already open.</exception>
    public ITransport Open(byte channel)
    {
        var opened = new TransportChannel(_transport, channel);
        if (Interlocked.CompareExchange(ref _channels[channel], opened, null) is not null)
        {
            throw new InvalidOperationException($"Transport channel {channel} is already open on {_transport.LocalNode}.");
        }

        return opened;
    }

    /// <inheritdoc />
    public void Receive(string node, ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty || Volatile.Read(ref _channels[payload.Span[0]]) is not { } channel || !channel.TryReceive(node, payload[1..]))
        {
            Interlocked.Increment(ref _unroutable);
        }
    }

    private sealed class TransportChannel(ITransport transport, byte channel) : ITransport
    {
        private ITransportReceiver? _receiver;

        public string LocalNode => transport.LocalNode;

        public int MaxPayloadBytes => transport.MaxPayloadBytes - 1;

        public void Attach(ITransportReceiver receiver)
        {
            ArgumentNullException.ThrowIfNull(receiver);
            if (Interlocked.CompareExchange(ref _receiver, receiver, null) is not null)
            {
                throw new InvalidOperationException($"Transport channel {channel} on {LocalNode} already has a receiver.");
            }
        }

        public void Send(string node, ReadOnlyMemory<byte> payload)
        {
            if (payload.Length > MaxPayloadBytes)
            {
                throw new ArgumentException($"A payload must be at most {MaxPayloadBytes} bytes (got {payload.Length}).", nameof(payload));
            }

            var framed = new byte[payload.Length + 1];
            framed[0] = channel;
            payload.Span.CopyTo(framed.AsSpan(1));
            transport.Send(node, framed);
        }

        public bool IsReachable(string node) => transport.IsReachable(node);

        public bool TryReceive(string node, ReadOnlyMemory<byte> payload)
        {
            if (Volatile.Read(ref _receiver) is not { } receiver)
            {
                return false;
            }

            receiver.Receive(node, payload);
            return true;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
