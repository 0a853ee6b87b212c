using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>
/// A throw-away PKI for TLS tests, made with .NET's <see cref="CertificateRequest"/> (no openssl CLI needed): a test
/// CA, a broker certificate for 127.0.0.1 and localhost, a client certificate the CA signed, and a client
/// certificate signed by an unrelated CA (the broker must refuse it). PEM files in <see cref="Directory"/>;
/// private keys are unencrypted PKCS#8 with mode 600.
/// </summary>
internal sealed class MosquittoCertificates
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private MosquittoCertificates(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>The CA that signed the broker's and the good client's certificates.</summary>
    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string ServerCertFile => Path.Combine(Directory, "server.pem");

    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    public string ClientCertFile => Path.Combine(Directory, "client.pem");

    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    /// <summary>A CA the broker does not trust.</summary>
    public string RogueCaFile => Path.Combine(Directory, "rogue-ca.pem");

    /// <summary>A client certificate signed by <see cref="RogueCaFile"/>.</summary>
    public string RogueClientCertFile => Path.Combine(Directory, "rogue-client.pem");

    public string RogueClientKeyFile => Path.Combine(Directory, "rogue-client.key");

    public static MosquittoCertificates Create(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var certificates = new MosquittoCertificates(directory);
        var now = TimeProvider.System.GetUtcNow();

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateAuthority("EdgeAnpr Test CA", caKey, now);
        WriteCertificate(certificates.CaFile, ca);
        Issue(ca, "CN=127.0.0.1", ServerAuthentication, now, certificates.ServerCertFile, certificates.ServerKeyFile, server: true);
        Issue(ca, "CN=edge-anpr-test-box", ClientAuthentication, now, certificates.ClientCertFile, certificates.ClientKeyFile, server: false);

        using var rogueKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rogue = CreateAuthority("Somebody Else's CA", rogueKey, now);
        WriteCertificate(certificates.RogueCaFile, rogue);
        Issue(rogue, "CN=edge-anpr-test-box", ClientAuthentication, now, certificates.RogueClientCertFile, certificates.RogueClientKeyFile, server: false);
        return certificates;
    }

    private static X509Certificate2 CreateAuthority(string name, ECDsa key, DateTimeOffset now)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    private static void Issue(X509Certificate2 issuer, string subject, Oid usage, DateTimeOffset now, string certFile, string keyFile, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var certificate = request.Create(issuer, now.AddDays(-1), now.AddDays(30), serial);
        WriteCertificate(certFile, certificate);
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        MosquittoBroker.MakeOwnerOnly(keyFile);
    }

    private static void WriteCertificate(string path, X509Certificate2 certificate) =>
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
}
