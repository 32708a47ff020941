using Grpc.Core;
using RingCore.Actors;
using RingCore.Membership;
using RingCore.Replication;

namespace RingCore.Grpc.Services;

/// <summary>
/// The status an exception from the node becomes, as proto/ringcore_admin.proto and
/// proto/ringcore_client.proto promise: one table, so that every method answers the same way.
/// </summary>
internal static class ServiceStatus
{
    /// <summary>How close to the call's deadline a timeout counts as the deadline itself.</summary>
    private static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(50);

    /// <summary>The RPC error for <paramref name="error"/>, thrown by a handler of <paramref name="context"/>'s call.</summary>
    public static RpcException Of(Exception error, ServerCallContext context, GrpcTransport transport)
    {
        // A wait bounded by the deadline (CallDeadline) ends on a timer, which may fire a few
        // milliseconds before the wall clock reaches the deadline: that is the deadline too (CI saw
        // a quorum wait of 299 ms for a deadline of 300 ms answered UNAVAILABLE).
        if (context.Deadline <= DateTime.UtcNow + DeadlineSlack && error is TimeoutException or QuorumException or OperationCanceledException)
        {
            return Error(StatusCode.DeadlineExceeded, $"The call's deadline passed: {error.Message}");
        }

        switch (error)
        {
            case ClusterChangeRefusedException:
                return Error(StatusCode.FailedPrecondition, error.Message);
            case ArgumentException or FormatException:
                return Error(StatusCode.InvalidArgument, error.Message);
            case QuorumException or ActorUnavailableException:
                return Error(StatusCode.Unavailable, error.Message);
            case TimeoutException:
                return Error(StatusCode.Unavailable, error.Message);
            case ObjectDisposedException:
                return Error(StatusCode.Unavailable, $"Node '{transport.LocalNode}' is stopping.");
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return Error(StatusCode.Cancelled, "The call was cancelled.");
            default:
                GrpcTransportLog.CallFailed(transport.Logger, error, transport.LocalNode, context.Method);
                return Error(StatusCode.Internal, $"Node '{transport.LocalNode}' failed the call: {error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>The error a handler that threw becomes (an actor's handler, here or on another node): ABORTED with its message.</summary>
    public static RpcException HandlerFailed(Exception error) =>
        Error(StatusCode.Aborted, error is RemoteActorException ? error.Message : $"{error.GetType().FullName}: {error.Message}");

    /// <summary>An RPC error with a status and its detail.</summary>
    public static RpcException Error(StatusCode code, string detail) => new(new Status(code, detail));
}
