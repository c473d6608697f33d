using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// Authenticates service-account tokens as kube-apiserver's service-account JWT authenticator: signed by our key,
/// issued by our issuer, meant for one of the API audiences, within its validity window (with a minute of leeway), and
/// naming a service account — and bound pod, secret or node — that still exists with the same UID and was not deleted
/// more than a minute ago. The user is <c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c> in
/// <c>system:serviceaccounts</c> and <c>system:serviceaccounts:&lt;ns&gt;</c>.
/// </summary>
/// <remarks>
/// Verified tokens are remembered until they expire, so a token in use costs one signature check, then only
/// dictionary lookups in the watch caches per request.
/// </remarks>
internal sealed partial class ServiceAccountTokenAuthenticator : IBearerTokenAuthenticator
{
    /// <summary>go-jose's DefaultLeeway, which kube-apiserver applies to exp, nbf, iat and to deletions.</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    /// <summary>Verified tokens remembered at most; beyond that expired ones are dropped, then all.</summary>
    internal const int MaxCachedTokens = 10_000;

    private readonly ServiceAccountKey _key;
    private readonly string _issuer;
    private readonly HashSet<string> _audiences;
    private readonly ClusterObjectLookup _objects;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, VerifiedToken> _verified = new(StringComparer.Ordinal);

    public ServiceAccountTokenAuthenticator(
        ServiceAccountKey key, ServiceAccountTokenSettings settings, ClusterObjectLookup objects, TimeProvider time, ILogger<ServiceAccountTokenAuthenticator> logger)
    {
        _key = key;
        _issuer = settings.Issuer;
        _audiences = new HashSet<string>(settings.ApiAudiences, StringComparer.Ordinal);
        _objects = objects;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many verified tokens are remembered (tests).</summary>
    internal int CachedCount => _verified.Count;

    public async ValueTask<UserInfo?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        var (user, reason) = await ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        if (user is null && reason is not null)
        {
            LogRejected(_logger, reason);
        }

        return user;
    }

    /// <summary>The user, or why the token is refused (null reason: not a service-account token at all).</summary>
    internal async ValueTask<(UserInfo? User, string? Reason)> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (!_verified.TryGetValue(token, out var verified))
        {
            var claims = ServiceAccountJwt.TryDecode(token, _key);
            if (claims is null)
            {
                return (null, null);
            }

            if (claims.Issuer != _issuer)
            {
                return (null, $"token issuer {claims.Issuer} is not {_issuer}");
            }

            if (!claims.Audiences.Any(_audiences.Contains))
            {
                return (null, $"token audiences [{string.Join(", ", claims.Audiences)}] are invalid for the target audiences [{string.Join(", ", _audiences)}]");
            }

            verified = new VerifiedToken(claims, UserOf(claims));
            Remember(token, verified);
        }

        var now = _time.GetUtcNow();
        var c = verified.Claims;
        if (now > c.Expiry + Leeway)
        {
            _verified.TryRemove(token, out _);
            return (null, "service account token has expired");
        }

        if (now + Leeway < c.NotBefore)
        {
            return (null, "service account token is not valid yet");
        }

        if (now + Leeway < c.IssuedAt)
        {
            return (null, "service account token was issued in the future");
        }

        var reason = await CheckReferencesAsync(c, now - Leeway, cancellationToken).ConfigureAwait(false);
        return reason is null ? (verified.User, null) : (null, reason);
    }

    /// <summary>The objects the token names must still be the ones it was issued for, as kube-apiserver's validator checks.</summary>
    private async ValueTask<string?> CheckReferencesAsync(ServiceAccountTokenClaims claims, DateTimeOffset deletedBefore, CancellationToken cancellationToken)
    {
        var ns = claims.Namespace;
        var reason = await CheckAsync(_objects.ServiceAccounts, ns, claims.ServiceAccount, "service account", deletedBefore, cancellationToken)
            .ConfigureAwait(false);
        if (reason is null && claims.Secret is { } secret)
        {
            reason = await CheckAsync(_objects.Secrets, ns, secret, "secret", deletedBefore, cancellationToken).ConfigureAwait(false);
        }

        if (reason is null && claims.Pod is { } pod)
        {
            reason = await CheckAsync(_objects.Pods, ns, pod, "pod", deletedBefore, cancellationToken).ConfigureAwait(false);
        }

        // A pod-bound token's node claim is information only; a token bound to a node itself needs the node.
        if (reason is null && claims.Pod is null && claims.Node is { } node)
        {
            reason = await CheckAsync(_objects.Nodes, null, node, "node", deletedBefore, cancellationToken).ConfigureAwait(false);
        }

        return reason;
    }

    private async ValueTask<string?> CheckAsync(
        ResourceDefinition definition, string? ns, BoundObject expected, string what, DateTimeOffset deletedBefore, CancellationToken cancellationToken)
    {
        var name = ns is null ? expected.Name : $"{ns}/{expected.Name}";
        var found = await _objects.GetAsync(definition, ns, expected.Name, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return $"{what} {name} does not exist";
        }

        if (found.DeletionTimestamp is { } deleted && deleted < deletedBefore)
        {
            return $"{what} {name} has been deleted";
        }

        return found.Uid == expected.Uid ? null : $"{what} UID ({found.Uid}) of {name} does not match claim ({expected.Uid})";
    }

    private void Remember(string token, VerifiedToken verified)
    {
        if (_verified.Count >= MaxCachedTokens)
        {
            var now = _time.GetUtcNow();
            foreach (var (key, value) in _verified)
            {
                if (now > value.Claims.Expiry + Leeway)
                {
                    _verified.TryRemove(key, out _);
                }
            }

            if (_verified.Count >= MaxCachedTokens)
            {
                _verified.Clear();
            }
        }

        _verified[token] = verified;
    }

    private static UserInfo UserOf(ServiceAccountTokenClaims claims) => new(
        claims.Subject,
        [ServiceAccountTokenClaims.AllServiceAccountsGroup, $"{ServiceAccountTokenClaims.AllServiceAccountsGroup}:{claims.Namespace}", UserInfo.AuthenticatedGroup]);

    private sealed record VerifiedToken(ServiceAccountTokenClaims Claims, UserInfo User);

    [LoggerMessage(Level = LogLevel.Debug, Message = "service-account token rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}
