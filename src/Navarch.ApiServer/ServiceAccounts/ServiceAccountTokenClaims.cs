namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// What a service-account token says, as kube-apiserver's bound tokens carry it: the registered claims (iss, sub, aud,
/// exp, iat, nbf, jti) and the private <c>kubernetes.io</c> claim naming the namespace, the service account and the
/// object the token is bound to.
/// </summary>
public sealed record ServiceAccountTokenClaims
{
    /// <summary>The prefix of a service account's user name, as Kubernetes' serviceaccount.ServiceAccountUsernamePrefix.</summary>
    public const string UserNamePrefix = "system:serviceaccount:";

    /// <summary>The group every service account is in.</summary>
    public const string AllServiceAccountsGroup = "system:serviceaccounts";

    public required string Issuer { get; init; }

    public required IReadOnlyList<string> Audiences { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset NotBefore { get; init; }

    public required DateTimeOffset Expiry { get; init; }

    /// <summary>The token's unique id (jti).</summary>
    public required string Id { get; init; }

    public required string Namespace { get; init; }

    public required BoundObject ServiceAccount { get; init; }

    public BoundObject? Pod { get; init; }

    public BoundObject? Secret { get; init; }

    public BoundObject? Node { get; init; }

    /// <summary>When an extended token should have been refreshed (kube-apiserver's warnafter); null for tokens not extended.</summary>
    public DateTimeOffset? WarnAfter { get; init; }

    /// <summary><c>system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;</c>, the sub claim and the user name.</summary>
    public string Subject => UserName(Namespace, ServiceAccount.Name);

    public static string UserName(string @namespace, string name) => $"{UserNamePrefix}{@namespace}:{name}";
}
