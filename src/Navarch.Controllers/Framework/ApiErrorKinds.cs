using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace Navarch.Controllers.Framework;

/// <summary>API errors that mean "nothing left to do" for a sync, as Kubernetes' controllers test with apierrors helpers.</summary>
public static class ApiErrorKinds
{
    /// <summary>404: the object the sync wrote to is gone; its delete event will (or did) reach the controller.</summary>
    public static bool IsNotFound(Exception error) =>
        error is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };

    /// <summary>
    /// 403 with the NamespaceTerminating cause: the namespace is being deleted, so retrying a create can only fail
    /// again (upstream's <c>errors.HasStatusCause(err, v1.NamespaceTerminatingCause)</c>).
    /// </summary>
    public static bool IsNamespaceTerminating(Exception error)
    {
        if (error is not HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden } http || string.IsNullOrEmpty(http.Response.Content))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(http.Response.Content);
            if (!document.RootElement.TryGetProperty("details", out var details) || !details.TryGetProperty("causes", out var causes)
                || causes.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            foreach (var cause in causes.EnumerateArray())
            {
                if (cause.TryGetProperty("reason", out var reason) && reason.GetString() == "NamespaceTerminating") return true;
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}
