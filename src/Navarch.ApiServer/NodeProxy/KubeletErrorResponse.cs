using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Handlers;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// Turns a kubelet's error answer to a log request into the client's Status, as kube-apiserver's
/// GenericHttpResponseChecker does: 400 and 500 carry the kubelet's text as the message, other codes keep their code.
/// A kubelet answer that already is a Status is passed on unchanged.
/// </summary>
internal static class KubeletErrorResponse
{
    public static async Task WriteAsync(HttpContext context, int statusCode, byte[] body, string podName)
    {
        if (IsStatus(body))
        {
            await ResponseWriter.WriteAsync(context, statusCode, body).ConfigureAwait(false);
            return;
        }

        var text = Encoding.UTF8.GetString(body).Trim();
        switch (statusCode)
        {
            case StatusCodes.Status400BadRequest:
                await ResponseWriter.WriteStatusAsync(context, ApiException.BadRequest(text)).ConfigureAwait(false);
                return;
            case StatusCodes.Status500InternalServerError:
                await ResponseWriter.WriteStatusAsync(context, ApiException.Internal(text)).ConfigureAwait(false);
                return;
        }

        var (reason, message) = statusCode switch
        {
            StatusCodes.Status401Unauthorized => ("Unauthorized", "the server has asked for the client to provide credentials"),
            StatusCodes.Status403Forbidden => ("Forbidden", "the server does not allow access to the requested resource"),
            StatusCodes.Status404NotFound => ("NotFound", "the server could not find the requested resource"),
            _ => ("", $"the server responded with the status code {statusCode} but did not return more information"),
        };
        message += $" ( pods/log {podName})";
        if (text.Length > 0)
        {
            message += ": " + text;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", "Status");
            writer.WriteString("apiVersion", "v1");
            writer.WriteStartObject("metadata");
            writer.WriteEndObject();
            writer.WriteString("status", "Failure");
            writer.WriteString("message", message);
            if (reason.Length > 0)
            {
                writer.WriteString("reason", reason);
            }

            writer.WriteStartObject("details");
            writer.WriteString("name", podName);
            writer.WriteString("kind", "pods/log");
            writer.WriteEndObject();
            writer.WriteNumber("code", statusCode);
            writer.WriteEndObject();
        }

        await ResponseWriter.WriteAsync(context, statusCode, buffer.WrittenMemory).ConfigureAwait(false);
    }

    private static bool IsStatus(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("kind", out var kind) && kind.ValueEquals("Status");
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
