namespace Navarch.ApiServer.Security;

/// <summary>Options of <see cref="ApiAuthenticationMiddleware"/>.</summary>
public sealed record ApiAuthenticationOptions
{
    /// <summary>
    /// Static bearer tokens (like kube-apiserver's --token-auth-file): a request with
    /// <c>Authorization: Bearer &lt;token&gt;</c> is the mapped user. Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, UserInfo> BearerTokens { get; init; } = new Dictionary<string, UserInfo>();

    /// <summary>
    /// Paths served to requests without credentials (and their subpaths, e.g. /readyz/ping), as kube-apiserver's
    /// default RBAC lets system:unauthenticated read the health and version endpoints.
    /// </summary>
    public IReadOnlyList<string> AnonymousPaths { get; init; } = ["/healthz", "/livez", "/readyz", "/version"];
}
