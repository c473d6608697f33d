using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Serialization;

/// <summary>
/// Turns a parsed body into the kind's typed model, checking apiVersion and kind, and applying server-side
/// field validation (<c>Strict</c> fails on unknown fields, <c>Warn</c> returns them as warnings, <c>Ignore</c> drops them).
/// </summary>
public sealed class ObjectDecoder
{
    private readonly UnknownFieldFinder _unknownFields = new(ApiJson.Options);

    public IKubernetesObject<V1ObjectMeta> Decode(JsonNode node, ResourceDefinition definition, FieldValidation validation, List<string> warnings)
    {
        if (node is not JsonObject obj)
        {
            throw ApiException.BadRequest($"{definition.Kind} in version \"{definition.Version}\" cannot be handled as a {definition.Kind}: the body is not a JSON object");
        }

        CheckTypeMeta(obj, definition);

        if (validation != FieldValidation.Ignore)
        {
            var unknown = _unknownFields.Find(obj, definition.ModelType);
            if (unknown.Count > 0)
            {
                var text = string.Join(", ", unknown.Select(f => $"unknown field \"{f}\""));
                if (validation == FieldValidation.Strict)
                {
                    throw ApiException.BadRequest(
                        $"{definition.Kind} in version \"{definition.Version}\" cannot be handled as a {definition.Kind}: strict decoding error: {text}");
                }

                warnings.AddRange(unknown.Select(f => $"unknown field \"{f}\""));
            }
        }

        IKubernetesObject<V1ObjectMeta>? typed;
        try
        {
            typed = ApiJson.Deserialize(obj, definition.ModelType) as IKubernetesObject<V1ObjectMeta>;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or OverflowException)
        {
            var detail = e is JsonException { Path: { } path } ? TypeErrorMessage.Describe(obj, definition.ModelType, path) : null;
            throw ApiException.BadRequest(
                $"{definition.Kind} in version \"{definition.Version}\" cannot be handled as a {definition.Kind}: {detail ?? "json: " + FirstLine(e.Message)}");
        }

        if (typed is null)
        {
            throw ApiException.BadRequest($"{definition.Kind} in version \"{definition.Version}\" cannot be handled as a {definition.Kind}: empty object");
        }

        typed.Metadata ??= new V1ObjectMeta();
        typed.ApiVersion = definition.GroupVersion;
        typed.Kind = definition.Kind;
        return typed;
    }

    /// <summary>As kube-apiserver does, a body may omit apiVersion and kind, but may not name another kind.</summary>
    public static void CheckTypeMeta(JsonObject obj, ResourceDefinition definition)
    {
        if (obj["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var apiVersion) && apiVersion.Length > 0
            && apiVersion != definition.GroupVersion)
        {
            throw ApiException.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({definition.GroupVersion})");
        }

        if (obj["kind"] is JsonValue k && k.TryGetValue<string>(out var kind) && kind.Length > 0 && kind != definition.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({definition.Kind})");
        }
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }
}
