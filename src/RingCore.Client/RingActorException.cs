using Grpc.Core;

namespace RingCore.Client;

/// <summary>
/// The actor's handler threw (ABORTED): the message carries its message, the actor discarded the
/// state change and keeps serving. Not retried.
/// </summary>
public sealed class RingActorException : RingClientException
{
    /// <summary>Creates the exception.</summary>
    public RingActorException(string message, string? node, Exception? innerException = null)
        : base(message, StatusCode.Aborted, node, innerException)
    {
    }
}
