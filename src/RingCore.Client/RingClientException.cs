using Grpc.Core;

namespace RingCore.Client;

/// <summary>
/// A call of <see cref="RingClient"/> failed. The subclasses say how: no node reachable
/// (<see cref="RingUnavailableException"/>), the secret refused (<see cref="RingAuthenticationException"/>),
/// no answer in time (<see cref="RingTimeoutException"/>), the request refused
/// (<see cref="RingRequestRejectedException"/>), an actor's handler threw (<see cref="RingActorException"/>).
/// Other gRPC failures are this class itself, with the status the node gave.
/// </summary>
public class RingClientException : Exception
{
    /// <summary>Creates an exception for a call that <paramref name="node"/> failed with <paramref name="status"/>.</summary>
    public RingClientException(string message, StatusCode status, string? node, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        Node = node;
    }

    /// <summary>The gRPC status the call ended with.</summary>
    public StatusCode Status { get; }

    /// <summary>The node (as <see cref="RingClientOptions.Nodes"/> names it) that gave the answer, or null when the failure was not one node's.</summary>
    public string? Node { get; }

    /// <summary>The exception for <paramref name="failure"/>, a call to <paramref name="node"/>: one of the subclasses when the status says which.</summary>
    internal static RingClientException From(RpcException failure, string node)
    {
        string detail = string.IsNullOrEmpty(failure.Status.Detail) ? failure.StatusCode.ToString() : failure.Status.Detail;
        return failure.StatusCode switch
        {
            StatusCode.Unauthenticated or StatusCode.PermissionDenied =>
                new RingAuthenticationException($"Node {node} refused the client secret: {detail}", failure.StatusCode, node, failure),
            StatusCode.DeadlineExceeded =>
                new RingTimeoutException($"Node {node} did not answer in time: {detail}", node, failure),
            StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.ResourceExhausted or StatusCode.OutOfRange
                or StatusCode.NotFound or StatusCode.AlreadyExists or StatusCode.Unimplemented =>
                new RingRequestRejectedException($"Node {node} refused the request ({failure.StatusCode}): {detail}", failure.StatusCode, node, failure),
            StatusCode.Aborted =>
                new RingActorException($"The actor's handler failed on node {node}: {detail}", node, failure),
            _ => new RingClientException($"The call to node {node} failed ({failure.StatusCode}): {detail}", failure.StatusCode, node, failure),
        };
    }
}
