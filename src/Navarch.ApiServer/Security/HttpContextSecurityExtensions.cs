using Microsoft.AspNetCore.Http;

namespace Navarch.ApiServer.Security;

public static class HttpContextSecurityExtensions
{
    /// <summary>
    /// The user <see cref="ApiAuthenticationMiddleware"/> authenticated for this request; null when the middleware
    /// did not run (a request that fails authentication never reaches later handlers).
    /// </summary>
    public static UserInfo? GetUser(this HttpContext context) => context.Features.Get<UserInfo>();
}
