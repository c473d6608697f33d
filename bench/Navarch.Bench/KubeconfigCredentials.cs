using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace Navarch.Bench;

/// <summary>
/// The server URL, cluster CA and client certificate of a kubeconfig with embedded certificate data (the kind
/// <c>navarch server</c> writes), read with KubernetesClient's loader; and raw <see cref="HttpClient"/>s that use them.
/// </summary>
internal sealed class KubeconfigCredentials : IDisposable
{
    private KubeconfigCredentials(Uri server, X509Certificate2Collection certificateAuthorities, X509Certificate2 clientCertificate)
    {
        Server = server;
        CertificateAuthorities = certificateAuthorities;
        ClientCertificate = clientCertificate;
    }

    public Uri Server { get; }

    public X509Certificate2Collection CertificateAuthorities { get; }

    public X509Certificate2 ClientCertificate { get; }

    public static KubeconfigCredentials Load(string path)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        if (config.SslCaCerts is not { Count: > 0 } authorities)
        {
            throw new InvalidOperationException($"{path} names no certificate-authority-data");
        }

        if (string.IsNullOrEmpty(config.ClientCertificateData) || string.IsNullOrEmpty(config.ClientCertificateKeyData))
        {
            throw new InvalidOperationException($"{path} has no client-certificate-data and client-key-data");
        }

        var certificate = X509Certificate2.CreateFromPem(Decode(config.ClientCertificateData), Decode(config.ClientCertificateKeyData));
        return new KubeconfigCredentials(new Uri(config.Host), authorities, certificate);
    }

    /// <summary>
    /// A client that presents the client certificate and trusts only the cluster CA. HTTP/2 multiplexes every
    /// concurrent request over one connection, as client-go does; HTTP/1.1 opens a connection per concurrent request.
    /// </summary>
    public HttpClient CreateHttpClient(Version httpVersion)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            MaxConnectionsPerServer = int.MaxValue,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = new X509CertificateCollection { ClientCertificate },
                RemoteCertificateValidationCallback = IsIssuedByClusterCa,
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = Server,
            DefaultRequestVersion = httpVersion,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public void Dispose()
    {
        ClientCertificate.Dispose();
        foreach (var authority in CertificateAuthorities)
        {
            authority.Dispose();
        }
    }

    // The platform's verdict trusts the system store, not the cluster CA; build the chain against the CA alone, and
    // keep the platform's host-name check.
    private bool IsIssuedByClusterCa(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is not X509Certificate2 serving || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.AddRange(CertificateAuthorities);
        return custom.Build(serving);
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));
}
