using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.Discovery;

/// <summary>Writes an <see cref="ApiException"/> as a meta/v1 <c>Status</c> body, for the discovery and OpenAPI endpoints.</summary>
internal static class StatusResponse
{
    public static Task WriteAsync(HttpContext context, ApiException error)
    {
        context.Response.StatusCode = error.Code;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(StatusJson.Failure(error), context.RequestAborted).AsTask();
    }
}
