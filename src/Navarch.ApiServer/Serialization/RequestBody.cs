using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Protobuf;

namespace Navarch.ApiServer.Serialization;

/// <summary>Reads and parses request bodies with kube-apiserver's size limit and media types.</summary>
public static class RequestBody
{
    /// <summary>kube-apiserver's default limit on a request body (3 MiB).</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    public static async Task<byte[]> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and <= MaxBytes ? (int)request.ContentLength.Value : 4096);
        var body = request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBytes)
            {
                throw TooLarge();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static ApiException TooLarge() => ApiException.RequestEntityTooLarge("Request entity too large: limit is 3145728");

    /// <summary>Reads the body and parses it by its Content-Type.</summary>
    public static async Task<(string MediaType, JsonNode Node)> ReadNodeAsync(HttpRequest request, string kind, CancellationToken cancellationToken)
    {
        var mediaType = MediaType(request.ContentType);
        var body = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
        return (mediaType, Parse(body, mediaType, kind));
    }

    /// <summary>The media type without parameters, lower-cased; JSON when the header is missing.</summary>
    public static string MediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return "application/json";
        }

        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semi < 0 ? contentType : contentType[..semi]).Trim().ToLowerInvariant();
    }

    /// <summary>Parses a JSON or YAML body into a node; malformed input becomes 400 BadRequest.</summary>
    public static JsonNode Parse(byte[] body, string mediaType, string kind)
    {
        // kubectl 1.32+ sends built-in kinds in Kubernetes' protobuf encoding; responses stay JSON.
        if (KubernetesProtobuf.IsProtobuf(mediaType))
        {
            try
            {
                return KubernetesProtobuf.DecodeToJson(body).Object;
            }
            catch (ProtobufFormatException e)
            {
                throw ApiException.BadRequest(e.Message);
            }
        }

        if (mediaType is not ("application/json" or "application/yaml" or "text/yaml" or "application/x-yaml" or "application/json-patch+json"
            or "application/merge-patch+json" or "application/strategic-merge-patch+json" or "application/apply-patch+yaml"))
        {
            throw ApiException.UnsupportedMediaType(mediaType);
        }

        try
        {
            JsonNode? node = mediaType is "application/yaml" or "application/apply-patch+yaml" or "text/yaml" or "application/x-yaml"
                ? ParseYaml(body)
                : JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 100 });
            return node ?? throw ApiException.BadRequest($"Object '{kind}' is missing in '{Preview(body)}'");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    private static JsonNode? ParseYaml(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        // JSON is YAML; parse it as JSON first so numbers and strings keep their exact JSON types.
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            return JsonNode.Parse(text);
        }

        return YamlToJson.Convert(text);
    }

    private static string Preview(byte[] body) => Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 64));
}
