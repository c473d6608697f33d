using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Navarch.ApiServer.Security;

/// <summary>
/// HTTPS for the API server: the cluster serving certificate, and client certificates requested but optional
/// (kubectl presents one, curl and health probes may not), accepted only when issued by the cluster CA. A certificate
/// from another CA fails the TLS handshake, as with kube-apiserver (Go's VerifyClientCertIfGiven).
/// </summary>
public static class KestrelSecurityExtensions
{
    /// <summary>Makes every HTTPS endpoint (<c>ListenOptions.UseHttps()</c>) use the cluster's TLS settings.</summary>
    public static KestrelServerOptions ConfigureClusterHttps(
        this KestrelServerOptions options, ClusterCertificates certificates, ClientCertificateAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configure = CreateConfiguration(certificates, authenticator);
        options.ConfigureHttpsDefaults(configure);
        return options;
    }

    /// <summary>Turns this endpoint into HTTPS with the cluster's TLS settings.</summary>
    public static ListenOptions UseClusterHttps(
        this ListenOptions listenOptions, ClusterCertificates certificates, ClientCertificateAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        return listenOptions.UseHttps(CreateConfiguration(certificates, authenticator));
    }

    private static Action<HttpsConnectionAdapterOptions> CreateConfiguration(
        ClusterCertificates certificates, ClientCertificateAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(authenticator);

        // Name the cluster CA in the handshake's CertificateRequest, as Go's server does with ClientCAs: a Go client
        // (kubectl) sends its certificate only if its issuer is among the names listed, when any are listed.
        var context = SslStreamCertificateContext.Create(
            certificates.ServingCertificate,
            additionalCertificates: null,
            offline: true,
            trust: SslCertificateTrust.CreateForX509Collection(
                new X509Certificate2Collection(certificates.CaCertificate), sendTrustInHandshake: true));

        return https =>
        {
            https.ServerCertificate = certificates.ServingCertificate;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.CheckCertificateRevocation = false;

            // The platform's verdict (which trusts the system store, not our CA) is ignored; our CA is the only root.
            https.ClientCertificateValidation = (certificate, _, _) => authenticator.IsTrusted(certificate);
            https.OnAuthenticate = (_, ssl) => ssl.ServerCertificateContext = context;
        };
    }
}
