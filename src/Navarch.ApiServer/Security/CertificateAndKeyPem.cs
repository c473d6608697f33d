using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Security;

/// <summary>A certificate and its private key, both PEM-encoded, as written to disk and into kubeconfigs.</summary>
public sealed record CertificateAndKeyPem(string CertificatePem, string PrivateKeyPem)
{
    /// <summary>
    /// Loads the pair as an <see cref="X509Certificate2"/> with its private key, usable for TLS.
    /// </summary>
    /// <remarks>
    /// On Linux a key imported from PEM is ephemeral and SslStream may fail the handshake with it; a round trip
    /// through PKCS#12 gives a certificate whose key TLS can use.
    /// </remarks>
    public X509Certificate2 ToCertificate()
    {
        using var fromPem = X509Certificate2.CreateFromPem(CertificatePem, PrivateKeyPem);
        return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
    }
}
