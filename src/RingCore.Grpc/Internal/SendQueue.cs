using System.Diagnostics;
using System.Threading.Channels;

namespace RingCore.Grpc;

/// <summary>
/// The messages waiting to go to one peer: bounded in messages and in bytes, so a peer that is
/// down or slow costs this node at most the limits, never unbounded memory. A message that does
/// not fit is refused at once (the caller counts it as lost, the way a network loses packets)
/// rather than making its sender wait: Send is called on hot paths and must never block.
/// </summary>
/// <remarks>Many writers, one reader (the connection's pump).</remarks>
internal sealed class SendQueue(int messageLimit, long byteLimit)
{
    private readonly Channel<byte[]> _channel = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private int _messages;
    private long _bytes;

    /// <summary>Messages queued now.</summary>
    public int Count => Volatile.Read(ref _messages);

    /// <summary>Bytes queued now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Queues <paramref name="payload"/>; false when that would pass a limit, or the queue is closed.</summary>
    public bool TryEnqueue(byte[] payload)
    {
        // Reserve first, then write: two senders racing for the last place cannot both take it.
        if (Interlocked.Increment(ref _messages) > messageLimit)
        {
            Interlocked.Decrement(ref _messages);
            return false;
        }

        if (Interlocked.Add(ref _bytes, payload.Length) > byteLimit || !_channel.Writer.TryWrite(payload))
        {
            Interlocked.Add(ref _bytes, -payload.Length);
            Interlocked.Decrement(ref _messages);
            return false;
        }

        return true;
    }

    /// <summary>Waits until a message is queued; false once the queue is closed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>The length of the next message, without taking it.</summary>
    public bool TryPeekLength(out int length)
    {
        bool found = _channel.Reader.TryPeek(out var payload);
        length = found ? payload!.Length : 0;
        return found;
    }

    /// <summary>Takes the next message.</summary>
    public bool TryDequeue(out byte[] payload)
    {
        if (!_channel.Reader.TryRead(out payload!))
        {
            return false;
        }

        Interlocked.Add(ref _bytes, -payload.Length);
        Interlocked.Decrement(ref _messages);
        Debug.Assert(Volatile.Read(ref _messages) >= 0, "Every message is counted in once and out once.");
        return true;
    }

    /// <summary>Refuses every later message and drops those queued; returns how many were dropped.</summary>
    public int Close()
    {
        _channel.Writer.TryComplete();
        int dropped = 0;
        while (TryDequeue(out _))
        {
            dropped++;
        }

        return dropped;
    }
}
