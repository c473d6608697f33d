namespace Navarch.ApiServer.Security;

/// <summary>
/// A source of identities for bearer tokens beyond the static ones (e.g. service-account JWTs), as kube-apiserver's
/// authenticator.Token; <see cref="ApiAuthenticationMiddleware"/> asks each registered one in turn.
/// </summary>
public interface IBearerTokenAuthenticator
{
    /// <summary>The user <paramref name="token"/> stands for, or null when it is not a valid token of this kind.</summary>
    ValueTask<UserInfo?> AuthenticateAsync(string token, CancellationToken cancellationToken);
}
