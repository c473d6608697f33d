using System.Buffers;
using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Printing;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Serialization;
using Navarch.ApiServer.Watch;

namespace Navarch.ApiServer.Handlers;

/// <summary>Writes objects, lists, Tables and Status errors in the representation the client negotiated.</summary>
public sealed class ResponseWriter(TimeProvider time)
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public async Task WriteObjectAsync(HttpContext context, int statusCode, ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> obj)
    {
        var format = ContentNegotiation.Negotiate(context.Request.Headers.Accept);
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            switch (format)
            {
                case ResponseFormat.Table:
                    TableWriter.Write(writer, definition.Table, [obj], new TableListMeta(obj.Metadata.ResourceVersion, null, null),
                        IncludeObject(context), time.GetUtcNow());
                    break;
                case ResponseFormat.PartialObjectMetadata:
                    WritePartial(writer, obj);
                    break;
                default:
                    ApiJson.Serialize(writer, obj);
                    break;
            }
        }

        await WriteAsync(context, statusCode, buffer.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>Writes a list whose items are cached JSON, with the list metadata kube-apiserver returns.</summary>
    public async Task WriteListAsync(
        HttpContext context, ResourceDefinition definition, IReadOnlyList<CachedObject> items, long revision, string? continueToken, long? remaining)
    {
        var format = ContentNegotiation.Negotiate(context.Request.Headers.Accept);
        var rv = revision.ToString(CultureInfo.InvariantCulture);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(4096, items.Count * 1024));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            if (format == ResponseFormat.Table)
            {
                var objects = new List<IKubernetesObject<V1ObjectMeta>>(items.Count);
                foreach (var item in items)
                {
                    objects.Add(Objects.ObjectCodec.Decode(definition, item.Json, item.Revision));
                }

                TableWriter.Write(writer, definition.Table, objects, new TableListMeta(rv, continueToken, remaining),
                    IncludeObject(context), time.GetUtcNow());
            }
            else
            {
                var partial = format == ResponseFormat.PartialObjectMetadata;
                writer.WriteStartObject();
                writer.WriteString("kind", partial ? "PartialObjectMetadataList" : definition.Kind + "List");
                writer.WriteString("apiVersion", partial ? "meta.k8s.io/v1" : definition.GroupVersion);
                writer.WritePropertyName("metadata");
                writer.WriteStartObject();
                writer.WriteString("resourceVersion", rv);
                if (continueToken is not null)
                {
                    writer.WriteString("continue", continueToken);
                }

                if (remaining is > 0)
                {
                    writer.WriteNumber("remainingItemCount", remaining.Value);
                }

                writer.WriteEndObject();
                writer.WritePropertyName("items");
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    if (partial)
                    {
                        WritePartial(writer, Objects.ObjectCodec.Decode(definition, item.Json, item.Revision));
                    }
                    else
                    {
                        writer.WriteRawValue(item.Json, skipInputValidation: true);
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }
        }

        await WriteAsync(context, StatusCodes.Status200OK, buffer.WrittenMemory).ConfigureAwait(false);
    }

    public static void WritePartial(Utf8JsonWriter writer, IKubernetesObject<V1ObjectMeta> obj)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", "PartialObjectMetadata");
        writer.WriteString("apiVersion", "meta.k8s.io/v1");
        writer.WritePropertyName("metadata");
        ApiJson.Serialize(writer, obj.Metadata);
        writer.WriteEndObject();
    }

    public static IncludeObjectPolicy IncludeObject(HttpContext context) =>
        context.Request.Query["includeObject"].ToString() switch
        {
            "None" => IncludeObjectPolicy.None,
            "Object" => IncludeObjectPolicy.Object,
            _ => IncludeObjectPolicy.Metadata,
        };

    public static async Task WriteStatusAsync(HttpContext context, ApiException error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        if (error.RetryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        }

        var bytes = StatusJson.Failure(error);
        await WriteAsync(context, error.Code, bytes).ConfigureAwait(false);
    }

    /// <summary>A success Status, as binding and eviction answer.</summary>
    public static Task WriteSuccessAsync(HttpContext context, int statusCode)
    {
        return WriteAsync(context, statusCode, StatusJson.Success(statusCode));
    }

    public static async Task WriteAsync(HttpContext context, int statusCode, ReadOnlyMemory<byte> body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
