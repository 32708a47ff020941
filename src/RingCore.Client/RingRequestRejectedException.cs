using Grpc.Core;

namespace RingCore.Client;

/// <summary>
/// The node refused the request itself, so another node would too, and it is not retried:
/// INVALID_ARGUMENT (an empty bucket, a value over the object limit, a context that does not
/// parse, an unknown actor type or message type), FAILED_PRECONDITION, RESOURCE_EXHAUSTED (a
/// message over the size limit) or UNIMPLEMENTED (a node without the client service).
/// </summary>
public sealed class RingRequestRejectedException : RingClientException
{
    /// <summary>Creates the exception.</summary>
    public RingRequestRejectedException(string message, StatusCode status, string? node, Exception? innerException = null)
        : base(message, status, node, innerException)
    {
    }
}
