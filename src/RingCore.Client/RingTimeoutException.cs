using Grpc.Core;

namespace RingCore.Client;

/// <summary>
/// The node did not answer within <see cref="RingClientOptions.Timeout"/> (DEADLINE_EXCEEDED).
/// Not retried: the request may have been applied, and an actor message is not idempotent.
/// </summary>
public sealed class RingTimeoutException : RingClientException
{
    /// <summary>Creates the exception.</summary>
    public RingTimeoutException(string message, string? node, Exception? innerException = null)
        : base(message, StatusCode.DeadlineExceeded, node, innerException)
    {
    }
}
