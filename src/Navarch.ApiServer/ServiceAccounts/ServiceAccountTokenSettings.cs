namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// Who issues service-account tokens and which audiences the API server accepts, as kube-apiserver's
/// --service-account-issuer and --api-audiences (which default to the issuer).
/// </summary>
public sealed record ServiceAccountTokenSettings(string Issuer, IReadOnlyList<string> ApiAudiences)
{
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    public static ServiceAccountTokenSettings ForIssuer(string issuer) => new(issuer, [issuer]);
}
