using Microsoft.AspNetCore.Builder;

namespace Navarch.ApiServer.Security;

public static class SecurityApplicationBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ApiAuthenticationMiddleware"/>; place it before routing to handlers so nothing runs for a
    /// request that fails authentication.
    /// </summary>
    public static IApplicationBuilder UseApiAuthentication(
        this IApplicationBuilder app, ClientCertificateAuthenticator authenticator, ApiAuthenticationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(authenticator);
        return app.UseMiddleware<ApiAuthenticationMiddleware>(authenticator, options ?? new ApiAuthenticationOptions());
    }
}
