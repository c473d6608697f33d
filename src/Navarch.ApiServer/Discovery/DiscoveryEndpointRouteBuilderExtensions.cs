using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Discovery;

/// <summary>Maps <c>/version</c> and the discovery endpoints (<c>/api</c>, <c>/api/v1</c>, <c>/apis</c>, <c>/apis/{group}[/{version}]</c>).</summary>
public static class DiscoveryEndpointRouteBuilderExtensions
{
    private const string Json = "application/json";

    /// <summary>
    /// Maps the discovery endpoints of <paramref name="registry"/>. <c>/api</c> and <c>/apis</c> answer with the
    /// aggregated <c>APIGroupDiscoveryList</c> when Accept asks for it (with an ETag and 304 on If-None-Match), else
    /// with the legacy <c>APIVersions</c> / <c>APIGroupList</c>. The documents are built here, once.
    /// </summary>
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder app, ResourceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(app);
        var documents = new DiscoveryDocuments(registry);
        // Written with relaxed escaping so the build suffix reads "v1.32.0+navarch" rather than "\u002B".
        var version = JsonSerializer.SerializeToUtf8Bytes(KubernetesVersion.Create(), new JsonSerializerOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        });

        app.MapGet("/version", (HttpContext context) =>
        {
            context.Response.ContentType = Json;
            return context.Response.Body.WriteAsync(version, context.RequestAborted).AsTask();
        });

        app.MapGet("/api", (HttpContext context) =>
        {
            var aggregated = AggregatedDiscoveryMediaType.Negotiate(context.Request.Headers.Accept);
            if (aggregated is not null)
            {
                return documents.Aggregated(core: true, aggregated).WriteAsync(context, AggregatedDiscoveryMediaType.ContentType(aggregated));
            }

            var body = documents.ApiVersions(ServerAddress(context));
            context.Response.ContentType = Json;
            context.Response.Headers.Vary = "Accept";
            return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
        });

        app.MapGet("/apis", (HttpContext context) =>
        {
            var aggregated = AggregatedDiscoveryMediaType.Negotiate(context.Request.Headers.Accept);
            return aggregated is not null
                ? documents.Aggregated(core: false, aggregated).WriteAsync(context, AggregatedDiscoveryMediaType.ContentType(aggregated))
                : documents.GroupList.WriteAsync(context, Json);
        });

        app.MapGet("/api/{version}", (HttpContext context, string version) =>
            WriteOrNotFound(context, documents.ResourceList("", version)));

        // A literal route, so it outranks the resource handler's /api/v1/{**rest} (whose literal "v1" beats {version}).
        app.MapGet("/api/v1", (HttpContext context) => WriteOrNotFound(context, documents.ResourceList("", "v1")));

        app.MapGet("/apis/{group}", (HttpContext context, string group) =>
            WriteOrNotFound(context, documents.Group(group)));

        app.MapGet("/apis/{group}/{version}", (HttpContext context, string group, string version) =>
            WriteOrNotFound(context, documents.ResourceList(group, version)));

        return app;
    }

    private static Task WriteOrNotFound(HttpContext context, CachedDocument? document) =>
        document is null
            ? StatusResponse.WriteAsync(context, ApiException.NotFoundPath())
            : document.WriteAsync(context, Json);

    /// <summary>The address the client reached us at, as kube-apiserver advertises its own in serverAddressByClientCIDRs.</summary>
    private static string ServerAddress(HttpContext context)
    {
        var host = context.Request.Host;
        if (host.HasValue)
        {
            return host.Port is null ? $"{host.Host}:{context.Connection.LocalPort}" : host.Value!;
        }

        var local = context.Connection.LocalIpAddress;
        return local is null ? $"127.0.0.1:{context.Connection.LocalPort}" : $"{local}:{context.Connection.LocalPort}";
    }
}
