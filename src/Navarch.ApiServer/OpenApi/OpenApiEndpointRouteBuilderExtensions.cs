using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Navarch.ApiServer.Discovery;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.OpenApi;

/// <summary>Maps <c>/openapi/v2</c>, <c>/openapi/v3</c> and <c>/openapi/v3/{api/v1|apis/group/version}</c>.</summary>
public static class OpenApiEndpointRouteBuilderExtensions
{
    private const string Json = "application/json";

    // kube-apiserver's caching of v3 documents: a URL carrying the current hash never changes, so it may be kept a
    // year; without the hash the client must revalidate (ETag, 304).
    private const string ImmutableCacheControl = "public, immutable";
    private const string RevalidateCacheControl = "no-cache, private";

    /// <summary>
    /// Maps the OpenAPI endpoints of <paramref name="registry"/>. The documents are generated once, in the background
    /// from this call on, and served from cached bytes with ETags.
    /// <c>/openapi/v2</c> is served as JSON only: a client that accepts only the protobuf form gets 406 with a Status.
    /// </summary>
    public static IEndpointRouteBuilder MapOpenApi(this IEndpointRouteBuilder app, ResourceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(app);
        var documents = new OpenApiDocuments(registry, ModelDescriptions.LoadDefault);

        // Generate in the background from start-up; a request that comes first waits for the same (single) build,
        // and a build failure surfaces on that request.
        _ = Task.Run(documents.Warm);

        app.MapGet("/openapi/v2", (HttpContext context) =>
        {
            if (!AcceptsJson(context.Request.Headers.Accept))
            {
                return StatusResponse.WriteAsync(context, ApiException.NotAcceptable(
                    "only the following media types are accepted: application/json"));
            }

            return documents.V2.WriteAsync(context, Json, RevalidateCacheControl);
        });

        app.MapGet("/openapi/v3", (HttpContext context) => documents.V3Index.WriteAsync(context, Json, RevalidateCacheControl));

        app.MapGet("/openapi/v3/{**path}", (HttpContext context, string path) =>
        {
            var document = documents.V3(path.Trim('/'));
            if (document is null)
            {
                return StatusResponse.WriteAsync(context, ApiException.NotFoundPath());
            }

            var hash = context.Request.Query["hash"].ToString();
            if (hash.Length == 0)
            {
                return document.WriteAsync(context, Json, RevalidateCacheControl);
            }

            if (!string.Equals(hash, document.Hash, StringComparison.OrdinalIgnoreCase))
            {
                // As kube-apiserver does, send a stale hash to the current document.
                context.Response.Headers.CacheControl = RevalidateCacheControl;
                context.Response.Redirect($"/openapi/v3/{path.Trim('/')}?hash={document.Hash}", permanent: false);
                return Task.CompletedTask;
            }

            context.Response.Headers.Expires = DateTimeOffset.UtcNow.AddYears(1).ToString("R", CultureInfo.InvariantCulture);
            return document.WriteAsync(context, Json, ImmutableCacheControl);
        });

        return app;
    }

    /// <summary>True when Accept admits JSON (absent, <c>*/*</c>, <c>application/*</c> or <c>application/json</c>).</summary>
    /// <remarks>Parsed by hand: the OpenAPI protobuf media type (<c>...spec.v2@v1.0+protobuf</c>) is not a valid
    /// RFC token, so the framework's parser rejects a list that holds it.</remarks>
    internal static bool AcceptsJson(Microsoft.Extensions.Primitives.StringValues accept)
    {
        var any = false;
        foreach (var header in accept)
        {
            foreach (var range in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                any = true;
                var parts = range.Split(';', StringSplitOptions.TrimEntries);
                var refused = parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000");
                if (!refused && (parts[0] == "*/*" ||
                    parts[0].Equals("application/*", StringComparison.OrdinalIgnoreCase) ||
                    parts[0].Equals(Json, StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }
        }

        return !any;
    }
}
