using Grpc.Core;

namespace RingCore.Grpc.Services;

/// <summary>How long the node may spend on a call: its own timeout for the operation, cut to what the caller's deadline leaves.</summary>
internal static class CallDeadline
{
    /// <summary><paramref name="timeout"/>, or less when the call's deadline comes sooner.</summary>
    /// <exception cref="RpcException">DEADLINE_EXCEEDED: the deadline has passed already.</exception>
    public static TimeSpan Bound(TimeSpan timeout, ServerCallContext context)
    {
        if (context.Deadline == DateTime.MaxValue)
        {
            return timeout;
        }

        var left = context.Deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            throw ServiceStatus.Error(StatusCode.DeadlineExceeded, "The call's deadline passed before the node started it.");
        }

        return left < timeout ? left : timeout;
    }
}
