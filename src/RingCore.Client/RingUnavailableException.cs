using Grpc.Core;

namespace RingCore.Client;

/// <summary>
/// No node answered: every node tried was down, refused the connection, was stopping, or could
/// not reach a quorum (UNAVAILABLE). <see cref="Attempts"/> holds each node's failure. A write
/// that failed this way may or may not have been applied; retrying it with the same context is
/// safe (at worst a sibling, never a lost write).
/// </summary>
public sealed class RingUnavailableException : RingClientException
{
    /// <summary>Creates the exception from the failure of each attempt, in the order they were made.</summary>
    public RingUnavailableException(string message, IReadOnlyList<RingClientException> attempts)
        : base(message, StatusCode.Unavailable, node: null, attempts is [.., var last] ? last : null)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        Attempts = attempts;
    }

    /// <summary>Each attempt's failure, naming its node.</summary>
    public IReadOnlyList<RingClientException> Attempts { get; }
}
