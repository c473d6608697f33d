using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace Navarch.Client;

/// <summary>
/// Builds API clients for components: credentials from a kubeconfig or from PEM strings, a client-side rate limit,
/// a user agent, and a connection pool that lets many watches and requests run at once.
/// </summary>
public static class KubeClientFactory
{
    /// <summary>Loads the current context of a kubeconfig file.</summary>
    public static IKubernetes FromKubeconfig(string path, ClientRateLimit limit, string? userAgent = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        return Create(config, limit, userAgent);
    }

    /// <summary>Client-certificate authentication against <paramref name="server"/>, trusting only the given CA.</summary>
    public static IKubernetes FromCertificates(
        Uri server, string caPem, string clientCertPem, string clientKeyPem, ClientRateLimit limit, string? userAgent = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(caPem);
        ArgumentException.ThrowIfNullOrEmpty(clientCertPem);
        ArgumentException.ThrowIfNullOrEmpty(clientKeyPem);
        var ca = new X509Certificate2Collection();
        ca.ImportFromPem(caPem);
        if (ca.Count == 0)
        {
            throw new ArgumentException("The CA PEM holds no certificate.", nameof(caPem));
        }

        var config = new KubernetesClientConfiguration
        {
            Host = server.ToString(),
            SslCaCerts = ca,

            // KubernetesClient reads these as base64 of the PEM text, as a kubeconfig's client-certificate-data is.
            ClientCertificateData = Convert.ToBase64String(Encoding.UTF8.GetBytes(clientCertPem)),
            ClientCertificateKeyData = Convert.ToBase64String(Encoding.UTF8.GetBytes(clientKeyPem)),
        };
        return Create(config, limit, userAgent);
    }

    private static Kubernetes Create(KubernetesClientConfiguration config, ClientRateLimit limit, string? userAgent)
    {
        ArgumentNullException.ThrowIfNull(limit);
        limit.Validate();
        if (!string.IsNullOrEmpty(userAgent))
        {
            config.UserAgent = userAgent;
        }

        var previousSetup = config.FirstMessageHandlerSetup;
        config.FirstMessageHandlerSetup = handler =>
        {
            previousSetup?.Invoke(handler);

            // Informers hold one long watch per resource and controllers issue many requests in parallel: never queue
            // behind a connection limit, and open another HTTP/2 connection when one runs out of streams.
            handler.MaxConnectionsPerServer = int.MaxValue;
            handler.EnableMultipleHttp2Connections = true;
            handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90);
        };
        return new Kubernetes(config, new RateLimitingHandler(limit, TimeProvider.System));
    }
}
