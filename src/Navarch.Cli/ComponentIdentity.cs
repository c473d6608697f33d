using k8s;
using Navarch.ApiServer.Hosting;
using Navarch.Client;

namespace Navarch.Cli;

/// <summary>
/// Clients for the components <c>navarch server</c> hosts: each reaches the API over HTTPS with a client
/// certificate of its own (e.g. CN <c>system:kube-scheduler</c>), as shared/DESIGN.md requires, never through
/// the store or the admin identity.
/// </summary>
internal static class ComponentIdentity
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    public static Func<ClientRateLimit, IKubernetes> ClientFactory(
        ApiServerHost apiServer, string userName, string userAgent, IReadOnlyList<string>? groups = null) =>
        limit =>
        {
            var url = apiServer.Url ?? throw new InvalidOperationException("the API server has not started");
            var certificates = apiServer.Certificates;
            var client = certificates.IssueClientCertificate(userName, groups ?? [], Lifetime);
            return KubeClientFactory.FromCertificates(url, certificates.CaCertificatePem, client.CertificatePem, client.PrivateKeyPem, limit, userAgent);
        };
}
