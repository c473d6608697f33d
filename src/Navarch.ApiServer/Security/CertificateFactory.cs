using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Security;

/// <summary>Builds the cluster CA and the certificates it signs. ECDSA P-256 with SHA-256 throughout, as k3s uses.</summary>
internal static class CertificateFactory
{
    /// <summary>
    /// Back-dates notBefore so a certificate is accepted by a machine whose clock is a little behind ours.
    /// </summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>A self-signed CA named <c>navarch-ca@&lt;unix seconds&gt;</c>, in the style of k3s' <c>k3s-server-ca@…</c>.</summary>
    public static X509Certificate2 CreateCa(ECDsa key, DateTimeOffset now, TimeSpan lifetime)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName($"navarch-ca@{now.ToUnixTimeSeconds()}");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now - ClockSkew, now + lifetime);
    }

    /// <summary>Issues a leaf certificate signed by <paramref name="ca"/>; the result carries <paramref name="key"/>.</summary>
    /// <remarks>The lifetime is cut at the CA's own expiry: a leaf outliving its issuer would not verify anyway.</remarks>
    public static X509Certificate2 IssueLeaf(
        X509Certificate2 ca,
        ECDsa caKey,
        X500DistinguishedName subject,
        ECDsa key,
        Oid usage,
        X509SubjectAlternativeNameExtension? alternativeNames,
        DateTimeOffset now,
        TimeSpan lifetime)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any())
        {
            request.CertificateExtensions.Add(
                X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        }
        if (alternativeNames is not null)
        {
            request.CertificateExtensions.Add(alternativeNames);
        }

        var caNotAfter = new DateTimeOffset(ca.NotAfter.ToUniversalTime());
        var notAfter = now + lifetime < caNotAfter ? now + lifetime : caNotAfter;

        // Serial numbers are random and positive (RFC 5280 §4.1.2.2), so reissued certificates never collide.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;

        using var withoutKey = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now - ClockSkew, notAfter, serial);
        return withoutKey.CopyWithPrivateKey(key);
    }

    /// <summary>A client subject: O for each organization (Kubernetes groups), then CN (the user name).</summary>
    public static X500DistinguishedName ClientSubject(string commonName, IReadOnlyList<string> organizations)
    {
        // The builder encodes RDNs in reverse order of the Add calls; add backwards so the encoding reads O…, CN as
        // Go's pkix.Name writes it.
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        for (var i = organizations.Count - 1; i >= 0; i--)
        {
            builder.AddOrganizationName(organizations[i]);
        }

        return builder.Build();
    }

    public static CertificateAndKeyPem ToPem(X509Certificate2 certificate, ECDsa key) =>
        new(certificate.ExportCertificatePem() + "\n", key.ExportECPrivateKeyPem() + "\n");
}
