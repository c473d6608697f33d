using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace Navarch.Controllers.ReplicaSet;

/// <summary>Reading the API server's Status out of a failed request, for conditions and error handling.</summary>
internal static class ApiErrors
{
    public static bool Is(Exception e, HttpStatusCode code) => e is HttpOperationException { Response: { } response } && response.StatusCode == code;

    /// <summary>The Status message (what kubectl prints, and what upstream puts in conditions), else the exception's.</summary>
    public static string Message(Exception e)
    {
        if (e is HttpOperationException { Response.Content: { Length: > 0 } content })
        {
            try
            {
                using var document = JsonDocument.Parse(content);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("message", out var message)
                    && message.GetString() is { } text)
                {
                    return text;
                }
            }
            catch (JsonException)
            {
                // Not a Status: fall back to the exception's own message.
            }
        }

        return e.Message;
    }

    /// <summary>A create refused because the namespace is terminating (NamespaceLifecycle admission).</summary>
    public static bool IsNamespaceTerminating(Exception e) =>
        Is(e, HttpStatusCode.Forbidden) && Message(e).Contains("because it is being terminated", StringComparison.Ordinal);
}
