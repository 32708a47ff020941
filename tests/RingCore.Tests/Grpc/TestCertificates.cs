using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RingCore.Grpc;

namespace RingCore.Tests.Grpc;

/// <summary>
/// Certificates made for the TLS tests, as PEM and PFX files in a directory of their own: a
/// cluster CA and a node certificate it signed (for 127.0.0.1 and localhost, server and client
/// use), and a rogue CA with a certificate of the same shape that it signed.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string PfxPassword = "pfx-password";

    public TestCertificates()
    {
        Directory = Path.Combine(Path.GetTempPath(), "ringcore-tls-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        using var ca = CreateAuthority("CN=RingCore test cluster CA");
        using var rogueCa = CreateAuthority("CN=Some other CA");
        Write("ca.pem", ca.ExportCertificatePem());
        Write("rogue-ca.pem", rogueCa.ExportCertificatePem());
        WriteLeaf("node", "CN=ringcore-node", ca);
        WriteLeaf("rogue", "CN=ringcore-node", rogueCa);
        Write("garbage.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    }

    public string Directory { get; }

    public string CaPath => PathOf("ca.pem");

    public string RogueCaPath => PathOf("rogue-ca.pem");

    public string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>The node certificate as PEM files, trusting the cluster CA.</summary>
    public void NodePem(GrpcTransportOptions options, bool requireClientCertificate = false)
    {
        options.Tls.CertificatePath = PathOf("node.pem");
        options.Tls.KeyPath = PathOf("node.key");
        options.Tls.TrustedCaPath = CaPath;
        options.Tls.RequireClientCertificate = requireClientCertificate;
    }

    /// <summary>The node certificate as a PFX file, trusting the cluster CA.</summary>
    public void NodePfx(GrpcTransportOptions options, bool requireClientCertificate = false)
    {
        options.Tls.PfxPath = PathOf("node.pfx");
        options.Tls.PfxPassword = PfxPassword;
        options.Tls.TrustedCaPath = CaPath;
        options.Tls.RequireClientCertificate = requireClientCertificate;
    }

    /// <summary>A certificate the rogue CA signed (the key in the same file), trusting the cluster CA so that it accepts the node it dials.</summary>
    public void Rogue(GrpcTransportOptions options)
    {
        options.Tls.CertificatePath = PathOf("rogue-combined.pem");
        options.Tls.TrustedCaPath = CaPath;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static X509Certificate2 CreateAuthority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private void WriteLeaf(string name, string subject, X509Certificate2 authority)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(16));
        using var withKey = certificate.CopyWithPrivateKey(key);
        Write($"{name}.pem", certificate.ExportCertificatePem());
        Write($"{name}.key", key.ExportPkcs8PrivateKeyPem());
        Write($"{name}-combined.pem", certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(PathOf($"{name}.pfx"), withKey.Export(X509ContentType.Pkcs12, PfxPassword));
    }

    private void Write(string file, string text) => File.WriteAllText(PathOf(file), text);
}
