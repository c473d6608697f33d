using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Kubelet.Join;

/// <summary>
/// Gets the agent its own API identity, as a k3s agent does: fetch the server's CA from <c>/cacerts</c>, check its
/// SHA-256 against the hash in the join token before sending anything secret, then ask
/// <c>/v1-navarch/node-certificate</c> for a client certificate (CN <c>system:node:&lt;name&gt;</c>, O
/// <c>system:nodes</c>) and write <c>&lt;agentDir&gt;/kubelet.kubeconfig</c> (0600). A kubeconfig from an earlier
/// start is reused while its certificate is valid, for this node, from the token's CA and far from expiry.
/// </summary>
public sealed partial class AgentBootstrap(TimeProvider time, ILogger<AgentBootstrap>? logger = null)
{
    public const string KubeconfigFileName = "kubelet.kubeconfig";
    public const string CaCertsPath = "/cacerts";
    public const string NodeCertificatePath = "/v1-navarch/node-certificate";

    /// <summary>A certificate closer than this to expiry is replaced at start.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>
    /// Makes sure <c>&lt;agentDirectory&gt;/kubelet.kubeconfig</c> holds working node credentials and returns its path.
    /// </summary>
    /// <exception cref="FormatException">The token is not in the secure <c>K10…</c> format.</exception>
    /// <exception cref="JoinException">The server's CA does not match the token, or the server refused the token.</exception>
    public async Task<string> EnsureKubeconfigAsync(
        Uri server, string token, string nodeName, string agentDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        ArgumentException.ThrowIfNullOrEmpty(agentDirectory);
        if (!server.IsAbsoluteUri || server.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Server URL '{server}' must be an absolute https URL.", nameof(server));
        }

        var joinToken = JoinToken.Parse(token);
        var path = Path.Combine(agentDirectory, KubeconfigFileName);
        if (IsReusable(path, server, joinToken, nodeName))
        {
            Log.Reusing(_logger, path);
            return path;
        }

        var caPem = await FetchCaAsync(server, cancellationToken).ConfigureAwait(false);
        var actualHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caPem)));
        if (actualHash != joinToken.CaHash)
        {
            // As k3s: never send the secret to a server whose CA the token does not vouch for.
            throw new JoinException(
                $"token CA hash does not match the Cluster CA certificate hash: {joinToken.CaHash} != {actualHash}");
        }

        var credentials = await RequestCertificateAsync(server, caPem, joinToken, nodeName, cancellationToken).ConfigureAwait(false);
        await AgentKubeconfig.WriteAsync(path, server, credentials with { Ca = caPem }, cancellationToken).ConfigureAwait(false);
        Log.Joined(_logger, nodeName, server, path);
        return path;
    }

    private static async Task<string> FetchCaAsync(Uri server, CancellationToken cancellationToken)
    {
        // The CA is not trusted yet, so any serving certificate is accepted here; the hash check afterwards is
        // what decides, and nothing secret is sent on this connection.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var client = new HttpClient(handler) { BaseAddress = server, Timeout = RequestTimeout };
        using var response = await client.GetAsync(CaCertsPath, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new JoinException($"GET {CaCertsPath} from {server} answered {(int)response.StatusCode}");
        }

        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<NodeCredentials> RequestCertificateAsync(
        Uri server, string caPem, JoinToken token, string nodeName, CancellationToken cancellationToken)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(caPem);
        try
        {
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                certificate is not null
                && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
                && ChainsTo(certificate, roots) };
            using var client = new HttpClient(handler) { BaseAddress = server, Timeout = RequestTimeout };
            using var request = new HttpRequestMessage(HttpMethod.Post, NodeCertificatePath)
            {
                Content = JsonContent.Create(new NodeCertificateRequest(nodeName), JoinJsonContext.Default.NodeCertificateRequest),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Secret);
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new JoinException($"the server at {server} refused the join token");
            }

            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new JoinException($"POST {NodeCertificatePath} answered {(int)response.StatusCode}: {body}");
            }

            return await response.Content.ReadFromJsonAsync(JoinJsonContext.Default.NodeCredentials, cancellationToken).ConfigureAwait(false)
                ?? throw new JoinException($"POST {NodeCertificatePath} answered an empty body");
        }
        finally
        {
            foreach (var root in roots)
            {
                root.Dispose();
            }
        }
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private bool IsReusable(string path, Uri server, JoinToken token, string nodeName)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            var config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path));
            var cluster = config.Clusters?.FirstOrDefault()?.ClusterEndpoint;
            var user = config.Users?.FirstOrDefault()?.UserCredentials;
            if (cluster?.Server is null || cluster.CertificateAuthorityData is null
                || user?.ClientCertificateData is null || user.ClientKeyData is null
                || !Uri.TryCreate(cluster.Server, UriKind.Absolute, out var saved)
                || saved.AbsoluteUri.TrimEnd('/') != server.AbsoluteUri.TrimEnd('/'))
            {
                return false;
            }

            var caPem = Decode(cluster.CertificateAuthorityData);
            if (Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caPem))) != token.CaHash)
            {
                return false;
            }

            using var certificate = X509Certificate2.CreateFromPem(Decode(user.ClientCertificateData), Decode(user.ClientKeyData));
            var now = time.GetUtcNow();
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(caPem);
            try
            {
                return certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) == "system:node:" + nodeName
                    && new DateTimeOffset(certificate.NotBefore.ToUniversalTime()) <= now
                    && new DateTimeOffset(certificate.NotAfter.ToUniversalTime()) - now > RenewBefore
                    && ChainsTo(certificate, roots);
            }
            finally
            {
                foreach (var root in roots)
                {
                    root.Dispose();
                }
            }
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException or IOException
            or k8s.Exceptions.KubeConfigException or YamlDotNet.Core.YamlException)
        {
            // A damaged kubeconfig is replaced by joining again, which the token allows.
            Log.Unusable(_logger, path, e.Message);
            return false;
        }
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} joined {Server}; credentials in {Path}")]
        public static partial void Joined(ILogger logger, string node, Uri server, string path);

        [LoggerMessage(Level = LogLevel.Information, Message = "Reusing node credentials in {Path}")]
        public static partial void Reusing(ILogger logger, string path);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Existing kubeconfig {Path} is unusable ({Reason}); joining again")]
        public static partial void Unusable(ILogger logger, string path, string reason);
    }
}
