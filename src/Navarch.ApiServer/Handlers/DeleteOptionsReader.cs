using System.Globalization;
using System.Text.Json;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Serialization;

namespace Navarch.ApiServer.Handlers;

/// <summary>Reads meta/v1 DeleteOptions from a DELETE body and from the query, as kubectl sends either.</summary>
public static class DeleteOptionsReader
{
    public static async Task<V1DeleteOptions> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var options = new V1DeleteOptions();
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var body = await RequestBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
            if (body.Length > 0)
            {
                try
                {
                    options = ApiJson.Deserialize<V1DeleteOptions>(body) ?? options;
                }
                catch (JsonException e)
                {
                    throw ApiException.BadRequest($"invalid DeleteOptions: {e.Message}");
                }
            }
        }

        var query = request.Query;
        if (query.TryGetValue("gracePeriodSeconds", out var g) && !string.IsNullOrEmpty(g))
        {
            options.GracePeriodSeconds = long.TryParse(g, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var grace)
                ? grace
                : throw ApiException.BadRequest($"invalid gracePeriodSeconds: \"{g}\"");
        }

        if (query.TryGetValue("propagationPolicy", out var p) && !string.IsNullOrEmpty(p))
        {
            options.PropagationPolicy = p;
        }

        if (ListOptions.Flag(query, "orphanDependents") is { } orphan)
        {
            options.OrphanDependents = orphan;
        }

        if (query.TryGetValue("dryRun", out var d) && d.Count > 0)
        {
            options.DryRun = [.. d.Select(v => v ?? "")];
        }

        if (options.PropagationPolicy is not (null or "Orphan" or "Background" or "Foreground"))
        {
            throw ApiException.Invalid("meta.k8s.io", "DeleteOptions", "",
                [Registry.FieldError.NotSupported("propagationPolicy", options.PropagationPolicy, ["Foreground", "Background", "Orphan", "nil"])]);
        }

        if (options.GracePeriodSeconds < 0)
        {
            // As kube-apiserver does, a negative grace period means "now".
            options.GracePeriodSeconds = 0;
        }

        return options;
    }
}
