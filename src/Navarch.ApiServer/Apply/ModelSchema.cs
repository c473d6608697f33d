using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// Reads the shape of KubernetesClient's <c>k8s.Models</c> classes by reflection (JSON names from
/// <see cref="JsonPropertyNameAttribute"/>), once per type, and list shapes from <see cref="IListKeys"/>.
/// </summary>
internal sealed class ModelSchema
{
    private readonly IListKeys _listKeys;

    // A cache of facts read from immutable types, filled on first use of each type; never reset.
    private readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>> _fields = new();

    public ModelSchema(IListKeys listKeys)
    {
        _listKeys = listKeys;
    }

    /// <summary>The node for a whole object of <paramref name="modelType"/> (null or <see cref="JsonNode"/>: untyped).</summary>
    public SchemaNode Root(Type? modelType) => Classify(modelType);

    /// <summary>The node for field or entry <paramref name="name"/> of an object at <paramref name="parent"/>.</summary>
    public SchemaNode Child(SchemaNode parent, string name)
    {
        switch (parent.Kind)
        {
            case SchemaKind.Struct when parent.Type is not null:
                if (!FieldsOf(parent.Type).TryGetValue(name, out var fieldType))
                {
                    // A field the model does not know (newer API, extension): keep it, but treat it as untyped.
                    return SchemaNode.Untyped;
                }

                var node = Classify(fieldType);
                return node.Kind == SchemaKind.List
                    ? node with { List = _listKeys.Lookup(parent.Type, name) ?? ListShape.Atomic }
                    : node;
            case SchemaKind.Map:
                return Classify(parent.Type);
            default:
                return SchemaNode.Untyped;
        }
    }

    /// <summary>The node for an item of the list at <paramref name="list"/>.</summary>
    public SchemaNode Item(SchemaNode list) => Classify(list.Type);

    private SchemaNode Classify(Type? type)
    {
        if (type is null || type == typeof(object) || typeof(JsonNode).IsAssignableFrom(type))
        {
            return SchemaNode.Untyped;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(byte[]) || type == typeof(decimal)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new SchemaNode(SchemaKind.Scalar, type, ListShape.Atomic);
        }

        if (FindGeneric(type, typeof(IDictionary<,>)) is { } dictionary)
        {
            return new SchemaNode(SchemaKind.Map, dictionary.GetGenericArguments()[1], ListShape.Atomic);
        }

        if (FindGeneric(type, typeof(IEnumerable<>)) is { } enumerable)
        {
            return new SchemaNode(SchemaKind.List, enumerable.GetGenericArguments()[0], ListShape.Atomic);
        }

        // Model classes have JSON-named properties; the rest (IntOrString, ResourceQuantity) serialize as scalars.
        return FieldsOf(type).Count > 0
            ? new SchemaNode(SchemaKind.Struct, type, ListShape.Atomic)
            : new SchemaNode(SchemaKind.Scalar, type, ListShape.Atomic);
    }

    private IReadOnlyDictionary<string, Type> FieldsOf(Type type) => _fields.GetOrAdd(type, static t =>
    {
        var fields = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is { } name)
            {
                fields[name.Name] = property.PropertyType;
            }
        }

        return fields;
    });

    private static Type? FindGeneric(Type type, Type openGeneric)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == openGeneric)
        {
            return type;
        }

        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openGeneric);
    }
}
