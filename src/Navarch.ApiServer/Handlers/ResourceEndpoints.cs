using System.Diagnostics;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Metrics;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// Routes <c>/api/v1/...</c> and <c>/apis/{group}/{version}/...</c> to the generic handlers by verb, and is the one
/// place where failures become <c>Status</c> responses.
/// </summary>
public static partial class ResourceEndpoints
{
    public static IEndpointRouteBuilder MapResources(this IEndpointRouteBuilder app)
    {
        app.Map("/api/v1/{**rest}", context => HandleAsync(context, "", "v1", (string?)context.Request.RouteValues["rest"] ?? ""));
        app.Map("/apis/{group}/{version}/{**rest}", context => HandleAsync(
            context,
            (string?)context.Request.RouteValues["group"] ?? "",
            (string?)context.Request.RouteValues["version"] ?? "",
            (string?)context.Request.RouteValues["rest"] ?? ""));
        return app;
    }

    private static async Task HandleAsync(HttpContext context, string group, string version, string rest)
    {
        var services = context.RequestServices;
        var metrics = services.GetRequiredService<ApiMetrics>();
        var started = Stopwatch.GetTimestamp();
        var verb = "unknown";
        var resource = "";
        try
        {
            var info = RequestInfoParser.Parse(services.GetRequiredService<ResourceRegistry>(), group, version, rest);
            resource = info.Definition.Resource;
            verb = VerbOf(context.Request.Method, info, context.Request.Query);
            if (verb == "watch")
            {
                metrics.WatchStarted(resource);
                try
                {
                    await DispatchAsync(context, info, verb).ConfigureAwait(false);
                }
                finally
                {
                    metrics.WatchEnded(resource);
                }
            }
            else
            {
                await DispatchAsync(context, info, verb).ConfigureAwait(false);
            }
        }
        catch (ApiException e)
        {
            await ResponseWriter.WriteStatusAsync(context, e).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (e is BadHttpRequestException or Microsoft.AspNetCore.Connections.ConnectionResetException or IOException)
        {
            if (!context.RequestAborted.IsCancellationRequested)
            {
                await ResponseWriter.WriteStatusAsync(context, ApiException.BadRequest(e.Message)).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            Log.Unhandled(services.GetRequiredService<ILoggerFactory>().CreateLogger("Navarch.ApiServer"), context.Request.Method,
                context.Request.Path, e);
            await ResponseWriter.WriteStatusAsync(context, ApiException.Internal(e.Message)).ConfigureAwait(false);
        }
        finally
        {
            metrics.RequestCompleted(verb, resource, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }

    private static string VerbOf(string method, RequestInfo info, IQueryCollection query)
    {
        if (info.Subresource is not null)
        {
            return method switch { "GET" => "get", "PUT" => "update", "PATCH" => "patch", "POST" => "create", _ => method.ToLowerInvariant() };
        }

        return (method, info.IsCollection) switch
        {
            ("GET", true) => ListOptions.Flag(query, "watch") == true ? "watch" : "list",
            ("GET", false) => ListOptions.Flag(query, "watch") == true ? "watch" : "get",
            ("POST", true) => "create",
            ("PUT", false) => "update",
            ("PATCH", false) => "patch",
            ("DELETE", false) => "delete",
            ("DELETE", true) => "deletecollection",
            _ => method.ToLowerInvariant(),
        };
    }

    private static Task DispatchAsync(HttpContext context, RequestInfo info, string verb)
    {
        var services = context.RequestServices;
        if (info.Subresource is not null)
        {
            return services.GetRequiredService<SubresourceHandler>().HandleAsync(RequestContext.From(context, info));
        }

        return verb switch
        {
            "get" => services.GetRequiredService<ReadHandler>().GetAsync(context, info),
            "list" => services.GetRequiredService<ReadHandler>().ListAsync(context, info, ListOptions.From(context.Request.Query)),
            "watch" => WatchAsync(context, info),
            "create" => services.GetRequiredService<WriteHandler>().CreateAsync(RequestContext.From(context, info)),
            "update" => services.GetRequiredService<WriteHandler>().UpdateAsync(RequestContext.From(context, info)),
            "patch" => services.GetRequiredService<WriteHandler>().PatchAsync(RequestContext.From(context, info)),
            "delete" => services.GetRequiredService<DeleteHandler>().DeleteAsync(RequestContext.From(context, info)),
            "deletecollection" => DeleteCollectionAsync(context, info),
            _ => throw ApiException.MethodNotSupported(info.Definition.Group, info.Definition.Resource, verb),
        };
    }

    /// <summary>A watch on one object is a watch on its collection with a metadata.name field selector, as kube-apiserver serves it.</summary>
    private static Task WatchAsync(HttpContext context, RequestInfo info)
    {
        var options = ListOptions.From(context.Request.Query);
        if (info.Name is not null)
        {
            var byName = "metadata.name=" + Navarch.Api.Fields.FieldSelector.EscapeValue(info.Name);
            options = options with { FieldSelector = options.FieldSelector is null ? byName : $"{options.FieldSelector},{byName}" };
            info = info with { Name = null };
        }

        return context.RequestServices.GetRequiredService<WatchHandler>().WatchAsync(context, info, options);
    }

    private static async Task DeleteCollectionAsync(HttpContext context, RequestInfo info)
    {
        var services = context.RequestServices;
        var request = RequestContext.From(context, info);
        var deleteOptions = await DeleteOptionsReader.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var listOptions = ListOptions.From(context.Request.Query) with { Limit = 0, Continue = null, ResourceVersion = null };
        var page = await services.GetRequiredService<ReadHandler>().ReadListAsync(info, listOptions, context.RequestAborted).ConfigureAwait(false);
        var deletes = services.GetRequiredService<DeleteHandler>();
        var deleted = new List<Watch.CachedObject>(page.Items.Count);
        foreach (var item in page.Items)
        {
            try
            {
                var obj = await deletes.DeleteOneAsync(info.Definition, item.Key, item.Name, deleteOptions,
                    request.DryRun || deleteOptions.DryRun is { Count: > 0 }, context.RequestAborted).ConfigureAwait(false);
                deleted.Add(Objects.ObjectCodec.ToCached(info.Definition, item.Key, obj, long.Parse(obj.Metadata.ResourceVersion ?? "0",
                    System.Globalization.CultureInfo.InvariantCulture)));
            }
            catch (ApiException e) when (e.Code == StatusCodes.Status404NotFound)
            {
                // Deleted by someone else meanwhile: nothing left to do for it.
            }
        }

        await services.GetRequiredService<ResponseWriter>()
            .WriteListAsync(context, info.Definition, deleted, page.Revision, null, null).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled failure serving {Method} {Path}")]
        public static partial void Unhandled(ILogger logger, string method, string path, Exception exception);
    }
}
