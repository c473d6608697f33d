using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;
using Navarch.Api.Patching;

namespace Navarch.ApiServer.OpenApi;

/// <summary>
/// Builds OpenAPI schemas for KubernetesClient model types by reflection, shaped as kube-apiserver publishes them:
/// Kubernetes definition names, descriptions, required value-typed fields, the GVK extension on top-level kinds,
/// and the strategic-merge-patch extensions on list fields. Refs point into <c>#/definitions/</c> (v2) or
/// <c>#/components/schemas/</c> (v3, where a described ref is wrapped in <c>allOf</c> as OpenAPI 3.0 ignores
/// siblings of <c>$ref</c>).
/// </summary>
internal sealed class SchemaGenerator
{
    // Fields kube-apiserver types as MicroTime rather than Time; the models use DateTime for both.
    private static readonly HashSet<(Type, string)> MicroTimeFields =
    [
        (typeof(V1LeaseSpec), "acquireTime"),
        (typeof(V1LeaseSpec), "renewTime"),
        (typeof(Corev1Event), "eventTime"),
        (typeof(Eventsv1Event), "eventTime"),
        (typeof(Corev1EventSeries), "lastObservedTime"),
        (typeof(Eventsv1EventSeries), "lastObservedTime"),
    ];

    private readonly DefinitionNames _names;
    private readonly ModelDescriptions _descriptions;
    private readonly IReadOnlyDictionary<Type, IReadOnlyList<GroupVersionKind>> _kinds;
    private readonly string _refPrefix;
    private readonly bool _v3;

    public SchemaGenerator(
        DefinitionNames names, ModelDescriptions descriptions, IReadOnlyDictionary<Type, IReadOnlyList<GroupVersionKind>> kinds, bool v3)
    {
        _names = names;
        _descriptions = descriptions;
        _kinds = kinds;
        _v3 = v3;
        _refPrefix = v3 ? "#/components/schemas/" : "#/definitions/";
    }

    public string Ref(string definitionName) => _refPrefix + definitionName;

    public JsonObject RefTo(string definitionName) => new() { ["$ref"] = Ref(definitionName) };

    /// <summary>All definitions: every reached model plus apimachinery's scalar types.</summary>
    public SortedDictionary<string, JsonObject> Definitions()
    {
        var definitions = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (type, name) in _names.All)
        {
            definitions[name] = type == typeof(V1Patch) ? PatchSchema() : ModelSchema(type);
        }

        definitions[DefinitionNames.IntOrStringName] = new JsonObject
        {
            ["description"] = "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
            ["type"] = "string",
            ["format"] = "int-or-string",
        };
        definitions[DefinitionNames.QuantityName] = new JsonObject
        {
            ["description"] = "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors. The serialization format is: <quantity> ::= <signedNumber><suffix> (e.g. \"100m\", \"1Gi\", \"500Mi\").",
            ["type"] = "string",
        };
        definitions[DefinitionNames.TimeName] = new JsonObject
        {
            ["description"] = "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.",
            ["type"] = "string",
            ["format"] = "date-time",
        };
        definitions[DefinitionNames.MicroTimeName] = new JsonObject
        {
            ["description"] = "MicroTime is version of Time with microsecond level precision.",
            ["type"] = "string",
            ["format"] = "date-time",
        };
        return definitions;
    }

    private static JsonObject PatchSchema() => new()
    {
        ["description"] = "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
        ["type"] = "object",
    };

    private JsonObject ModelSchema(Type type)
    {
        var schema = new JsonObject();
        if (_descriptions.OfType(type) is { } description)
        {
            schema["description"] = description;
        }

        schema["type"] = "object";
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => JsonName(p), StringComparer.Ordinal))
        {
            var jsonName = JsonName(property);
            properties[jsonName] = PropertySchema(type, property, jsonName);
            if ((property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null)
                || RequiredFields.Of(type).Contains(jsonName, StringComparer.Ordinal))
            {
                required.Add(jsonName);
            }
        }

        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        schema["properties"] = properties;
        if (_kinds.TryGetValue(type, out var kinds))
        {
            var gvks = new JsonArray();
            foreach (var gvk in kinds)
            {
                gvks.Add(gvk.ToJson());
            }

            schema["x-kubernetes-group-version-kind"] = gvks;
        }

        return schema;
    }

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? char.ToLowerInvariant(property.Name[0]) + property.Name[1..];

    private JsonObject PropertySchema(Type declaring, PropertyInfo property, string jsonName)
    {
        var description = _descriptions.OfProperty(declaring, property.Name);
        var schema = TypeSchema(property.PropertyType, MicroTimeFields.Contains((declaring, jsonName)));
        if (schema.ContainsKey("$ref") && description is not null && _v3)
        {
            schema = new JsonObject { ["allOf"] = new JsonArray(schema) };
        }

        if (description is not null)
        {
            schema["description"] = description;
        }

        // The strategic-merge-patch directives kubectl reads from OpenAPI (its struct-tag table lives with the patcher).
        if (PatchMetadata.Default.Lookup(declaring, jsonName) is { } patch)
        {
            if (patch.MergeKey is not null)
            {
                schema["x-kubernetes-patch-merge-key"] = patch.MergeKey;
            }

            if (patch.StrategyExtension is { } strategy)
            {
                schema["x-kubernetes-patch-strategy"] = strategy;
            }
        }

        return schema;
    }

    private JsonObject TypeSchema(Type type, bool microTime = false)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (underlying == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (underlying == typeof(int))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = "int32" };
        }

        if (underlying == typeof(long))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = "int64" };
        }

        if (underlying == typeof(double) || underlying == typeof(float))
        {
            return new JsonObject { ["type"] = "number", ["format"] = "double" };
        }

        if (underlying == typeof(DateTime) || underlying == typeof(DateTimeOffset))
        {
            return RefTo(microTime ? DefinitionNames.MicroTimeName : DefinitionNames.TimeName);
        }

        if (underlying == typeof(byte[]))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "byte" };
        }

        if (underlying == typeof(IntOrString))
        {
            return RefTo(DefinitionNames.IntOrStringName);
        }

        if (underlying == typeof(ResourceQuantity))
        {
            return RefTo(DefinitionNames.QuantityName);
        }

        if (DefinitionNames.IsModel(underlying))
        {
            return RefTo(_names.NameOf(underlying));
        }

        if (underlying.IsGenericType)
        {
            var arguments = underlying.GetGenericArguments();
            if (arguments.Length == 2 && arguments[0] == typeof(string))
            {
                return new JsonObject { ["type"] = "object", ["additionalProperties"] = TypeSchema(arguments[1]) };
            }

            if (arguments.Length == 1)
            {
                return new JsonObject { ["type"] = "array", ["items"] = TypeSchema(arguments[0]) };
            }
        }

        // object-typed fields (RawExtension, FieldsV1) are free-form JSON.
        return new JsonObject { ["type"] = "object" };
    }
}
