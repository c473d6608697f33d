using System.Net;
using k8s.Models;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Errors;

/// <summary>
/// A typed API failure that becomes a meta/v1 <c>Status</c> in one place, with Kubernetes' code, reason and
/// message wording (k8s.io/apimachinery/pkg/api/errors).
/// </summary>
public sealed class ApiException : Exception
{
    private ApiException(int code, string reason, string message, V1StatusDetails? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    /// <summary>Machine-readable reason, e.g. <c>NotFound</c>, <c>AlreadyExists</c>, <c>Invalid</c>.</summary>
    public string Reason { get; }

    public V1StatusDetails? Details { get; }

    /// <summary>Extra seconds a client should wait before retrying (sets Retry-After and details.retryAfterSeconds).</summary>
    public int? RetryAfterSeconds { get; init; }

    private static string Qualified(string group, string resource) => group.Length == 0 ? resource : $"{resource}.{group}";

    private static V1StatusDetails DetailsFor(string group, string resource, string? name) =>
        new() { Name = name, Group = group.Length == 0 ? null : group, Kind = resource };

    public static ApiException NotFound(string group, string resource, string name) =>
        new(404, "NotFound", $"{Qualified(group, resource)} \"{name}\" not found", DetailsFor(group, resource, name));

    public static ApiException AlreadyExists(string group, string resource, string name) =>
        new(409, "AlreadyExists", $"{Qualified(group, resource)} \"{name}\" already exists", DetailsFor(group, resource, name));

    /// <summary>An optimistic-concurrency failure, worded as kube-apiserver words it.</summary>
    public static ApiException Conflict(string group, string resource, string name, string detail) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, resource)} \"{name}\": {detail}",
            DetailsFor(group, resource, name));

    /// <summary>A server-side apply that would take fields other managers own.</summary>
    public static ApiException ApplyConflict(string group, string resource, string name, string message) =>
        new(409, "Conflict", message, DetailsFor(group, resource, name));

    public static ApiException StaleResourceVersion(string group, string resource, string name) =>
        Conflict(group, resource, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var text = errors.Count == 1
            ? errors[0].ToString()
            : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        var details = new V1StatusDetails
        {
            Name = name,
            Group = group.Length == 0 ? null : group,
            Kind = kind,
            Causes = errors.Select(e => new V1StatusCause { Reason = e.Reason, Message = e.Message, Field = e.Field }).ToList(),
        };
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        return new ApiException(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {text}", details);
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException Forbidden(string group, string resource, string name, string detail) =>
        new(403, "Forbidden",
            name.Length == 0 ? $"{Qualified(group, resource)} is forbidden: {detail}" : $"{Qualified(group, resource)} \"{name}\" is forbidden: {detail}",
            DetailsFor(group, resource, name.Length == 0 ? null : name));

    /// <summary>
    /// A create in a namespace being deleted: 403 with the NamespaceTerminating cause, which controllers check to
    /// stop retrying (kube-apiserver's NamespaceLifecycle admission).
    /// </summary>
    public static ApiException NamespaceTerminating(string group, string resource, string name, string ns)
    {
        var details = DetailsFor(group, resource, name.Length == 0 ? null : name);
        details.Causes = [new V1StatusCause { Reason = "NamespaceTerminating", Message = $"namespace {ns} is being terminated", Field = "metadata.namespace" }];
        var detail = $"unable to create new content in namespace {ns} because it is being terminated";
        return new(403, "Forbidden",
            name.Length == 0 ? $"{Qualified(group, resource)} is forbidden: {detail}" : $"{Qualified(group, resource)} \"{name}\" is forbidden: {detail}",
            details);
    }

    public static ApiException MethodNotSupported(string group, string resource, string action) =>
        new(405, "MethodNotAllowed", $"{action} is not supported on resources of kind \"{Qualified(group, resource)}\"",
            DetailsFor(group, resource, null));

    public static ApiException NotAcceptable(string message) => new(406, "NotAcceptable", message);

    /// <summary>A watch or list from a compacted resourceVersion: 410 Gone with reason Expired.</summary>
    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException Gone(string message) => new(410, "Gone", message);

    public static ApiException RequestEntityTooLarge(string message) => new(413, "RequestEntityTooLarge", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {contentType})");

    public static ApiException TooManyRequests(string message, int retryAfterSeconds) =>
        new(429, "TooManyRequests", message) { RetryAfterSeconds = retryAfterSeconds };

    public static ApiException Internal(string message) => new(500, "InternalError", $"Internal error occurred: {message}");

    public static ApiException Timeout(string message, int retryAfterSeconds) =>
        new(504, "Timeout", message) { RetryAfterSeconds = retryAfterSeconds };

    public static ApiException ServiceUnavailable(string message) => new(503, "ServiceUnavailable", message);

    public static ApiException NotFoundPath() => new(404, "NotFound", "the server could not find the requested resource");

    public HttpStatusCode StatusCode => (HttpStatusCode)Code;
}
