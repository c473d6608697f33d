using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Serialization;

namespace Navarch.ApiServer.Handlers;

/// <summary>Per-request write options common to create, update, patch and delete.</summary>
public sealed record RequestContext(HttpContext Http, RequestInfo Info, bool DryRun, FieldValidation FieldValidation, string FieldManager)
{
    public List<string> Warnings { get; } = [];

    public CancellationToken Cancellation => Http.RequestAborted;

    public static RequestContext From(HttpContext http, RequestInfo info)
    {
        var query = http.Request.Query;
        var dryRun = query.TryGetValue("dryRun", out var d) && d.Count > 0;
        if (dryRun && d.Any(v => v != "All"))
        {
            throw Errors.ApiException.BadRequest($"Invalid dry run value: {d}: supported values: \"All\"");
        }

        var validation = query["fieldValidation"].ToString() switch
        {
            "" or "Warn" => FieldValidation.Warn,
            "Strict" => FieldValidation.Strict,
            "Ignore" => FieldValidation.Ignore,
            var other => throw Errors.ApiException.BadRequest(
                $"fieldValidation must be one of Ignore, Warn, or Strict, got \"{other}\""),
        };
        var manager = query["fieldManager"].ToString();
        if (manager.Length > 128)
        {
            throw Errors.ApiException.BadRequest("fieldManager: Too long: must have at most 128 bytes");
        }

        if (manager.Length == 0)
        {
            manager = DefaultManager(http.Request.Headers.UserAgent.ToString());
        }

        return new RequestContext(http, info, dryRun, validation, manager);
    }

    /// <summary>As kube-apiserver does, a request without fieldManager is attributed to the user agent's program name.</summary>
    private static string DefaultManager(string userAgent)
    {
        if (userAgent.Length == 0)
        {
            return "unknown";
        }

        var slash = userAgent.IndexOf('/', StringComparison.Ordinal);
        var name = slash > 0 ? userAgent[..slash] : userAgent;
        return name.Length > 128 ? name[..128] : name;
    }
}
