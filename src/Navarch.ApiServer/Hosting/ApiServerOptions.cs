using System.Net;

namespace Navarch.ApiServer.Hosting;

/// <summary>Options of the API server, with the defaults of shared/DESIGN.md (k3s' where a user would expect them).</summary>
public sealed record ApiServerOptions
{
    /// <summary>Root of all state; <c>server/</c> below it belongs to the API server.</summary>
    public required string DataDir { get; init; }

    public int HttpsPort { get; init; } = 6443;

    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>Another place to write the admin kubeconfig, besides <c>&lt;data-dir&gt;/kubeconfig.yaml</c>.</summary>
    public string? WriteKubeconfig { get; init; }

    /// <summary>etcd endpoints (<c>http://host:2379</c>, ...); empty means the embedded SQLite store.</summary>
    public IReadOnlyList<string> DatastoreEndpoints { get; init; } = [];

    /// <summary>Extra names for the serving certificate (like k3s' <c>--tls-san</c>).</summary>
    public IReadOnlyList<string> TlsSans { get; init; } = [];

    public string ServiceCidr { get; init; } = "10.43.0.0/16";

    /// <summary>How often store history is compacted (kube-apiserver's --etcd-compaction-interval, 5 minutes).</summary>
    public TimeSpan CompactionInterval { get; init; } = Compactor.DefaultInterval;

    /// <summary>
    /// The <c>iss</c> of service-account tokens, which is also the audience the API server accepts
    /// (kube-apiserver's --service-account-issuer, with its --api-audiences defaulting to it).
    /// </summary>
    public string ServiceAccountIssuer { get; init; } = ServiceAccounts.ServiceAccountTokenSettings.DefaultIssuer;

    public string KubeconfigPath => Path.Combine(DataDir, "kubeconfig.yaml");

    public string DatabasePath => Path.Combine(DataDir, "server", "db", "state.db");

    /// <summary>Checks the options at start, with a message that names the bad value.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            throw new ArgumentException("--data-dir must not be empty");
        }

        if (HttpsPort is < 0 or > 65535)
        {
            throw new ArgumentException($"--https-port {HttpsPort} is not a port number (0-65535)");
        }

        // As kube-apiserver: an issuer with a ':' must be a URL (a bare string such as "navarch" is allowed).
        if (string.IsNullOrWhiteSpace(ServiceAccountIssuer)
            || (ServiceAccountIssuer.Contains(':', StringComparison.Ordinal) && !Uri.TryCreate(ServiceAccountIssuer, UriKind.Absolute, out _)))
        {
            throw new ArgumentException($"--service-account-issuer \"{ServiceAccountIssuer}\" must be a URL or a string without ':'");
        }

        foreach (var endpoint in DatastoreEndpoints)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"--datastore-endpoint {endpoint} is not an http(s) URL such as http://127.0.0.1:2379");
            }
        }
    }
}
