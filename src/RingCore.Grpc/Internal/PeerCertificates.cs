using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace RingCore.Grpc;

/// <summary>
/// A node's TLS material (<see cref="GrpcTlsOptions"/>), loaded once at start: its certificate
/// with its chain, and the CAs its peers' certificates must chain to. Serves both ends: Kestrel's
/// HTTPS settings and the dialers' <see cref="SslClientAuthenticationOptions"/>.
/// </summary>
/// <remarks>
/// Peers are checked against the configured CAs only (<see cref="X509ChainTrustMode.CustomRootTrust"/>),
/// never the machine's store: a cluster's private CA must not have to be installed system-wide,
/// and a certificate some public CA issued for another purpose must not admit a stranger.
/// </remarks>
internal sealed class PeerCertificates : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection? _trusted;

    private PeerCertificates(X509Certificate2 certificate, X509Certificate2Collection chain, X509Certificate2Collection? trusted)
    {
        Certificate = certificate;
        Chain = chain;
        _trusted = trusted;
        Context = SslStreamCertificateContext.Create(certificate, chain, offline: true);
    }

    /// <summary>The node's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificates sent after the node's own (intermediate CAs); often none.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>The node's certificate with its chain, as TLS sends it.</summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>Whether client certificates are asked for and checked (a CA is configured).</summary>
    public bool ChecksClientCertificates => _trusted is not null;

    /// <summary>Reads the files <paramref name="tls"/> names; null when TLS is off.</summary>
    /// <exception cref="ArgumentException">A file does not hold what its setting says (the message names the setting).</exception>
    public static PeerCertificates? Load(GrpcTlsOptions tls)
    {
        if (!tls.IsEnabled)
        {
            return null;
        }

        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        if (tls.PfxPath is { } pfx)
        {
            var all = Read("PfxPath", pfx, () => X509CertificateLoader.LoadPkcs12CollectionFromFile(pfx, tls.PfxPassword));
            certificate = all.FirstOrDefault(candidate => candidate.HasPrivateKey)
                ?? throw Bad("PfxPath", pfx, "a PKCS#12 file with a certificate and its private key");
            chain.AddRange(all.Where(other => !ReferenceEquals(other, certificate)).ToArray());
        }
        else
        {
            string path = tls.CertificatePath!;
            certificate = Read(tls.KeyPath is null ? "CertificatePath" : "CertificatePath (with RingCore:Grpc:Tls:KeyPath)", path,
                () => X509Certificate2.CreateFromPemFile(path, tls.KeyPath));
            var all = Read("CertificatePath", path, () =>
            {
                var certificates = new X509Certificate2Collection();
                certificates.ImportFromPemFile(path);
                return certificates;
            });
            chain.AddRange(all.Skip(1).ToArray());
        }

        if (!certificate.HasPrivateKey)
        {
            throw Bad(tls.PfxPath is null ? "KeyPath" : "PfxPath", tls.KeyPath ?? tls.PfxPath ?? tls.CertificatePath!, "the certificate's private key");
        }

        X509Certificate2Collection? trusted = null;
        if (tls.TrustedCaPath is { } caPath)
        {
            trusted = Read("TrustedCaPath", caPath, () =>
            {
                var certificates = new X509Certificate2Collection();
                certificates.ImportFromPemFile(caPath);
                return certificates;
            });
            if (trusted.Count == 0)
            {
                throw Bad("TrustedCaPath", caPath, "a PEM file with at least one CA certificate");
            }
        }

        return new PeerCertificates(certificate, chain, trusted);
    }

    /// <summary>Kestrel's side: serve this certificate and, with a CA, ask for the client's and check it (<paramref name="refused"/> hears of each refusal).</summary>
    public void ConfigureServer(HttpsConnectionAdapterOptions https, bool requireClientCertificate, Action<string> refused)
    {
        https.ServerCertificateChain = Chain;
        https.ServerCertificate = Certificate;
        https.CheckCertificateRevocation = false;
        if (_trusted is null)
        {
            https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
            return;
        }

        // A certificate that fails the check fails the handshake, in both modes; with
        // AllowCertificate a dialer that offers none still connects, and must give the secret.
        https.ClientCertificateMode = requireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.AllowCertificate;
        https.ClientCertificateValidation = (certificate, presented, _) =>
        {
            if (IsTrusted(certificate, presented, ClientAuthentication, out string? problem))
            {
                return true;
            }

            refused($"client certificate '{certificate.Subject}': {problem}");
            return false;
        };
    }

    /// <summary>The dialer's side: present this certificate (with a CA configured) and check the peer's, against the CA or else the system's store.</summary>
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        ApplicationProtocols = [SslApplicationProtocol.Http2],
        ClientCertificateContext = _trusted is null ? null : Context,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, presented, errors) =>
        {
            if (_trusted is null)
            {
                return errors == SslPolicyErrors.None;
            }

            // The host name is still checked (a certificate for another node's address is not
            // this peer's); the chain is judged against the configured CAs, not the system's.
            return (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) == 0
                && certificate is X509Certificate2 peer
                && IsTrusted(peer, presented, ServerAuthentication, out string? _);
        },
    };

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var certificate in Chain)
        {
            certificate.Dispose();
        }

        foreach (var certificate in _trusted ?? [])
        {
            certificate.Dispose();
        }
    }

    /// <summary>Whether <paramref name="certificate"/> chains to a configured CA, is in its validity period and allows <paramref name="purpose"/>.</summary>
    private bool IsTrusted(X509Certificate2 certificate, X509Chain? presented, Oid purpose, out string? problem)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        if (presented is not null)
        {
            // The intermediates the peer sent with its certificate.
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(certificate))
        {
            problem = null;
            return true;
        }

        problem = string.Join("; ", chain.ChainStatus.Select(status => status.StatusInformation.Trim()).Where(text => text.Length > 0).DefaultIfEmpty("it does not chain to RingCore:Grpc:Tls:TrustedCaPath"));
        return false;
    }

    private static T Read<T>(string setting, string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception error) when (error is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ArgumentException($"RingCore:Grpc:Tls:{setting} could not be read from '{path}': {error.Message}", error);
        }
    }

    private static ArgumentException Bad(string setting, string path, string what) =>
        new($"RingCore:Grpc:Tls:{setting} must name {what} (got '{path}').");
}
