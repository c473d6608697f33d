using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Navarch.Kubelet.Server;

/// <summary>Errors of the kubelet API as a Kubernetes <c>Status</c> body; every handler answers failures through here.</summary>
internal static class KubeletStatus
{
    public static async Task WriteAsync(HttpContext context, int code, string message, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = code;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.Body);
        json.WriteStartObject();
        json.WriteString("kind", "Status");
        json.WriteString("apiVersion", "v1");
        json.WriteStartObject("metadata");
        json.WriteEndObject();
        json.WriteString("status", "Failure");
        json.WriteString("message", message);
        json.WriteString("reason", Reason(code));
        json.WriteNumber("code", code);
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Reason(int code) => code switch
    {
        StatusCodes.Status400BadRequest => "BadRequest",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "NotFound",
        StatusCodes.Status405MethodNotAllowed => "MethodNotAllowed",
        StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable => "ServiceUnavailable",
        _ => "InternalError",
    };
}
