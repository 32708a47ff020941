using Grpc.Core;

namespace RingCore.Grpc;

/// <summary>
/// Who may call a node's services (issue 15: "every node-to-node and admin call needs the
/// cluster secret, or the client certificate"), decided in this one place for every service on
/// the transport's server: a call is authenticated when it carries the cluster secret
/// (<c>ringcore-secret</c>), or when its connection presented a client certificate that the TLS
/// handshake checked against <see cref="GrpcTlsOptions.TrustedCaPath"/>.
/// </summary>
/// <remarks>
/// A certificate that does not chain to the CA never reaches a call: Kestrel's check
/// (<see cref="PeerCertificates.ConfigureServer"/>) fails its handshake. So a certificate on the
/// connection is a trusted one, provided the check is installed, which is what
/// <c>checksClientCertificates</c> says; without it a presented certificate proves nothing.
/// </remarks>
internal sealed class PeerAuthentication(byte[]? secretDigest, bool checksClientCertificates)
{
    /// <summary>Whether the call may run.</summary>
    public bool IsAuthenticated(ServerCallContext context) => RefusalOf(context) is null;

    /// <summary>Why the call may not run (for its UNAUTHENTICATED status and the log), or null when it may.</summary>
    public string? RefusalOf(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (checksClientCertificates && context.GetHttpContext().Connection.ClientCertificate is not null)
        {
            return null;
        }

        string? offered = context.RequestHeaders.GetValue(PeerHeaders.Secret);
        if (PeerHeaders.Matches(offered, secretDigest))
        {
            return null;
        }

        return offered is not null ? "a wrong cluster secret (ringcore-secret)"
            : checksClientCertificates ? "no cluster secret (ringcore-secret) and no client certificate"
            : "no cluster secret (ringcore-secret)";
    }
}
