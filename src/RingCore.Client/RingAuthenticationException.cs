using Grpc.Core;

namespace RingCore.Client;

/// <summary>The node refused the call's secret (UNAUTHENTICATED): <see cref="RingClientOptions.Secret"/> is missing or wrong. Not retried: every node of a cluster shares the secret.</summary>
public sealed class RingAuthenticationException : RingClientException
{
    /// <summary>Creates the exception.</summary>
    public RingAuthenticationException(string message, StatusCode status, string? node, Exception? innerException = null)
        : base(message, status, node, innerException)
    {
    }
}
