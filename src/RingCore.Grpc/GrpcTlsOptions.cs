namespace RingCore.Grpc;

/// <summary>
/// TLS between nodes (issue 15; docs/grpc-transport.md, TLS): the node's certificate, the
/// certificate authority its peers' certificates chain to, and whether a peer must present one
/// (mutual TLS). Bound from <c>RingCore:Grpc:Tls</c>. With no certificate (the default) the
/// transport speaks cleartext HTTP/2 (h2c), for loopback and trusted networks; with one, it
/// serves HTTPS (ALPN <c>h2</c>) and dials its peers over HTTPS. Every node of a cluster must
/// agree: a cleartext dialer cannot reach a TLS node, nor the other way round.
/// </summary>
public sealed class GrpcTlsOptions
{
    /// <summary>
    /// The node's certificate, a PEM file (<c>-----BEGIN CERTIFICATE-----</c>): the first
    /// certificate in it is the node's, any after it are sent as its chain (intermediate CAs).
    /// It serves TLS and, with <see cref="TrustedCaPath"/>, is presented as the client certificate
    /// when this node dials a peer, so it should allow both server and client authentication
    /// (extended key usages 1.3.6.1.5.5.7.3.1 and .2, or none) and name the host peers dial (the
    /// host in the node's name, an IP address or DNS name, as a subject alternative name).
    /// Defaults to none; set this or <see cref="PfxPath"/>, not both.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The private key of <see cref="CertificatePath"/>, a PEM file (PKCS#8, RSA or EC). Defaults to the key inside the certificate's file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The node's certificate and private key as a PKCS#12 (PFX) file, instead of <see cref="CertificatePath"/>; other certificates in it are sent as its chain. Defaults to none.</summary>
    public string? PfxPath { get; set; }

    /// <summary>The password of <see cref="PfxPath"/>. Defaults to none (a file without a password).</summary>
    public string? PfxPassword { get; set; }

    /// <summary>
    /// The certificate authorities (a PEM bundle) that peers' certificates must chain to: the
    /// server certificate of every peer this node dials, and the client certificate of every peer
    /// that dials it. Only these are trusted, not the system's store, and revocation is not
    /// checked. Without it, a dialed peer's certificate must be trusted by the system's store and
    /// peers authenticate with the cluster secret only. Defaults to none; required by
    /// <see cref="RequireClientCertificate"/>.
    /// </summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>
    /// Mutual TLS: a connection without a client certificate that chains to
    /// <see cref="TrustedCaPath"/> is refused in the TLS handshake, before any call. A client
    /// certificate that chains to the CA authenticates its peer as the cluster secret does, so
    /// with this set <see cref="GrpcTransportOptions.ClusterSecret"/> may be left unset (the
    /// nodes then authenticate by certificate only, and admin tools need a certificate too).
    /// Without it, a client certificate is still asked for and checked when
    /// <see cref="TrustedCaPath"/> is set, but a peer may connect without one and give the
    /// secret. Defaults to false.
    /// </summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>Whether TLS is on: a certificate is configured.</summary>
    internal bool IsEnabled => CertificatePath is not null || PfxPath is not null;

    /// <summary>Whether client certificates are asked for and checked against <see cref="TrustedCaPath"/>.</summary>
    internal bool ChecksClientCertificates => IsEnabled && TrustedCaPath is not null;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting (<c>RingCore:Grpc:Tls:...</c>); the files must exist (their contents are read at start).</summary>
    internal void Validate()
    {
        Require(CertificatePath is null || PfxPath is null, "PfxPath", "unset when Tls:CertificatePath is set (one certificate per node: PEM or PFX)", PfxPath);
        RequireFile(CertificatePath, "CertificatePath");
        RequireFile(KeyPath, "KeyPath");
        RequireFile(PfxPath, "PfxPath");
        RequireFile(TrustedCaPath, "TrustedCaPath");
        Require(KeyPath is null || CertificatePath is not null, "KeyPath", "unset unless Tls:CertificatePath is set", KeyPath);
        Require(PfxPassword is null || PfxPath is not null, "PfxPassword", "unset unless Tls:PfxPath is set", "(hidden)");
        Require(TrustedCaPath is null || IsEnabled, "TrustedCaPath", "unset unless the node has a certificate (Tls:CertificatePath or Tls:PfxPath)", TrustedCaPath);
        Require(!RequireClientCertificate || IsEnabled && TrustedCaPath is not null, "RequireClientCertificate",
            "false unless the node has a certificate (Tls:CertificatePath or Tls:PfxPath) and Tls:TrustedCaPath names the CA client certificates chain to", "true");
    }

    private static void RequireFile(string? path, string setting)
    {
        if (path is null)
        {
            return;
        }

        Require(!string.IsNullOrWhiteSpace(path), setting, "the path of a file", path);
        Require(File.Exists(path), setting, $"the path of a file that exists (no file at '{Path.GetFullPath(path)}')", path);
    }

    private static void Require(bool holds, string setting, string rule, string? value)
    {
        if (!holds)
        {
            throw new ArgumentException($"RingCore:Grpc:Tls:{setting} must be {rule} (got {(value is null ? "nothing" : $"'{value}'")}).");
        }
    }
}
