using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Navarch.ApiServer.Security;

/// <summary>
/// Authenticates every request and puts its <see cref="UserInfo"/> on the context (read it with
/// <see cref="HttpContextSecurityExtensions.GetUser"/>). Credentials are tried as kube-apiserver orders its
/// authenticators: client certificate, then bearer token (the static ones, then each registered
/// <see cref="IBearerTokenAuthenticator"/>, such as service-account JWTs); every user gets <c>system:authenticated</c>.
/// A request without credentials is <see cref="UserInfo.Anonymous"/> on the anonymous paths and 401 elsewhere; a
/// request with credentials that fail is 401 everywhere, as kube-apiserver does not treat a bad token as anonymous.
/// </summary>
public sealed class ApiAuthenticationMiddleware
{
    private const string BearerPrefix = "Bearer ";

    private readonly RequestDelegate _next;
    private readonly ClientCertificateAuthenticator _certificates;
    private readonly (byte[] Token, UserInfo User)[] _tokens;
    private readonly PathString[] _anonymousPaths;
    private readonly IBearerTokenAuthenticator[] _tokenAuthenticators;

    /// <param name="tokenAuthenticators">Further bearer-token authenticators, from the host's services (none by default).</param>
    public ApiAuthenticationMiddleware(
        RequestDelegate next,
        ClientCertificateAuthenticator certificates,
        ApiAuthenticationOptions options,
        IEnumerable<IBearerTokenAuthenticator> tokenAuthenticators)
    {
        ArgumentNullException.ThrowIfNull(tokenAuthenticators);
        _tokenAuthenticators = [.. tokenAuthenticators];
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(options);
        _next = next;
        _certificates = certificates;
        _tokens = options.BearerTokens
            .Where(pair => pair.Key.Length > 0)
            .Select(pair => (Encoding.UTF8.GetBytes(pair.Key), WithAuthenticatedGroup(pair.Value)))
            .ToArray();
        _anonymousPaths = options.AnonymousPaths.Select(path => new PathString(path)).ToArray();
    }

    /// <summary>kube-apiserver's body for a request it could not authenticate.</summary>
    private static ReadOnlySpan<byte> UnauthorizedBody =>
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"""u8;

    public Task InvokeAsync(HttpContext context)
    {
        var (user, credentialsPresented, bearer) = Authenticate(context);
        if (user is null && bearer is not null && _tokenAuthenticators.Length > 0)
        {
            return InvokeWithTokenAsync(context, bearer);
        }

        return Continue(context, user, credentialsPresented);
    }

    private async Task InvokeWithTokenAsync(HttpContext context, string bearer)
    {
        UserInfo? user = null;
        foreach (var authenticator in _tokenAuthenticators)
        {
            user = await authenticator.AuthenticateAsync(bearer, context.RequestAborted).ConfigureAwait(false);
            if (user is not null)
            {
                user = WithAuthenticatedGroup(user);
                break;
            }
        }

        await Continue(context, user, credentialsPresented: true).ConfigureAwait(false);
    }

    private Task Continue(HttpContext context, UserInfo? user, bool credentialsPresented)
    {
        if (user is null && !credentialsPresented && IsAnonymousPath(context.Request.Path))
        {
            user = UserInfo.Anonymous;
        }

        if (user is null)
        {
            return WriteUnauthorizedAsync(context.Response, context.RequestAborted);
        }

        context.Features.Set(user);
        return _next(context);
    }

    private static UserInfo WithAuthenticatedGroup(UserInfo user) =>
        user.Groups.Contains(UserInfo.AuthenticatedGroup)
            ? user
            : user with { Groups = [.. user.Groups, UserInfo.AuthenticatedGroup] };

    private static async Task WriteUnauthorizedAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.ContentType = "application/json";
        response.ContentLength = UnauthorizedBody.Length;
        await response.Body.WriteAsync(UnauthorizedBody.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The user from a certificate or static token; else whether credentials came and the bearer token to try further.</summary>
    private (UserInfo? User, bool CredentialsPresented, string? Bearer) Authenticate(HttpContext context)
    {
        var presented = false;
        var certificate = context.Connection.ClientCertificate;
        if (certificate is not null)
        {
            presented = true;
            var user = _certificates.Authenticate(certificate);
            if (user is not null)
            {
                return (user, true, null);
            }
        }

        var authorization = context.Request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            presented = true;
            var token = authorization.AsSpan(BearerPrefix.Length).Trim();
            var user = FindToken(token);
            if (user is not null)
            {
                return (user, true, null);
            }

            return (null, true, token.IsEmpty ? null : token.ToString());
        }

        return (null, presented, null);
    }

    private UserInfo? FindToken(ReadOnlySpan<char> token)
    {
        if (token.IsEmpty || _tokens.Length == 0)
        {
            return null;
        }

        var presented = Encoding.UTF8.GetBytes(token.ToArray());
        UserInfo? found = null;

        // Compare against every entry in fixed time so response timing does not reveal how much of a token matched.
        foreach (var (known, user) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(known, presented))
            {
                found = user;
            }
        }

        return found;
    }

    private bool IsAnonymousPath(PathString path)
    {
        foreach (var anonymous in _anonymousPaths)
        {
            if (path.StartsWithSegments(anonymous, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
