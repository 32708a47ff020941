namespace RingCore.Transport;

/// <summary>Where a transport hands the messages that arrive for its node.</summary>
public interface ITransportReceiver
{
    /// <summary>
    /// Handles a message from <paramref name="node"/>. The payload is only valid during the call;
    /// a receiver must not throw for a malformed payload (it logs and drops it), since the sender
    /// is another process that this one cannot fix.
    /// </summary>
    void Receive(string node, ReadOnlyMemory<byte> payload);
}
