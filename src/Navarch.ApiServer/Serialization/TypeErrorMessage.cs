using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Navarch.ApiServer.Serialization;

/// <summary>
/// Describes a body value of the wrong JSON type the way Go's encoding/json does in kube-apiserver's errors:
/// <c>json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32</c>.
/// </summary>
public static partial class TypeErrorMessage
{
    /// <summary>The message, or null when the path cannot be followed through the model.</summary>
    public static string? Describe(JsonNode root, Type model, string jsonPath)
    {
        var segments = Segments().Matches(jsonPath.TrimStart('$'));
        JsonNode? node = root;
        var type = model;
        Type? owner = null;
        var fieldPath = new List<string>();
        foreach (Match segment in segments)
        {
            if (segment.Groups["index"].Success)
            {
                node = node is JsonArray array && int.TryParse(segment.Groups["index"].Value, out var i) && i < array.Count ? array[i] : null;
                type = ElementType(type) ?? type;
                continue;
            }

            var name = segment.Groups["name"].Success ? segment.Groups["name"].Value : segment.Groups["quoted"].Value;
            var info = ApiJson.Options.GetTypeInfo(type);
            JsonPropertyInfo? property = null;
            if (info.Kind == JsonTypeInfoKind.Object)
            {
                property = info.Properties.FirstOrDefault(p => p.Name == name);
            }

            if (property is null && info.Kind != JsonTypeInfoKind.Dictionary)
            {
                return null;
            }

            if (property is not null)
            {
                owner = type;
            }

            type = property?.PropertyType ?? info.ElementType ?? typeof(object);
            fieldPath.Add(name);
            node = node is JsonObject obj ? obj[name] : null;
        }

        if (owner is null || fieldPath.Count == 0)
        {
            return null;
        }

        return $"json: cannot unmarshal {JsonKind(node)} into Go struct field {GoName(owner)}.{string.Join('.', fieldPath)} of type {GoName(type)}";
    }

    private static Type? ElementType(Type type)
    {
        var info = ApiJson.Options.GetTypeInfo(type);
        return info.Kind is JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary ? info.ElementType : null;
    }

    private static string JsonKind(JsonNode? node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => "string",
        JsonValue v when v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "bool",
        JsonValue => "number",
        _ => "null",
    };

    /// <summary>The Go spelling of a model or value type: V1DeploymentSpec → DeploymentSpec, int? → int32.</summary>
    private static string GoName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int))
        {
            return "int32";
        }

        if (type == typeof(long))
        {
            return "int64";
        }

        if (type == typeof(double) || type == typeof(float))
        {
            return "float64";
        }

        if (type == typeof(bool))
        {
            return "bool";
        }

        if (type == typeof(string))
        {
            return "string";
        }

        var info = ApiJson.Options.GetTypeInfo(type);
        if (info.Kind == JsonTypeInfoKind.Dictionary && info.ElementType is { } value)
        {
            return $"map[string]{GoName(value)}";
        }

        if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element)
        {
            return $"[]{GoName(element)}";
        }

        return ModelPrefix().Replace(type.Name, "");
    }

    [GeneratedRegex(@"\.(?<name>[A-Za-z0-9_$-]+)|\[(?<index>[0-9]+)\]|\['(?<quoted>[^']*)'\]")]
    private static partial Regex Segments();

    [GeneratedRegex(@"^(V[0-9]+(alpha|beta)?[0-9]*|[A-Z][a-z]+v[0-9]+)(?=[A-Z])")]
    private static partial Regex ModelPrefix();
}
