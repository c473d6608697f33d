using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// Merges an applied configuration into a live object and removes fields by path, following the same schema as the
/// field sets so that what is merged, owned and removed line up.
/// </summary>
internal sealed class ObjectMerger
{
    private readonly ModelSchema _schema;

    public ObjectMerger(ModelSchema schema)
    {
        _schema = schema;
    }

    /// <summary>
    /// The live value with the applied one laid over it: objects merge field by field, associative lists and sets item by
    /// item (live order kept, new items appended), everything else is replaced. An explicit null removes the field.
    /// Neither input is modified.
    /// </summary>
    public JsonNode? Merge(JsonNode? live, JsonNode? applied, SchemaNode node)
    {
        if (applied is null)
        {
            return null;
        }

        if (live is JsonObject liveObject && applied is JsonObject appliedObject
            && node.Kind is SchemaKind.Struct or SchemaKind.Map)
        {
            var result = (JsonObject)liveObject.DeepClone();
            foreach (var (name, value) in appliedObject)
            {
                var merged = Merge(liveObject.TryGetPropertyValue(name, out var l) ? l : null, value, _schema.Child(node, name));
                if (merged is null)
                {
                    result.Remove(name);
                }
                else
                {
                    result[name] = merged;
                }
            }

            return result;
        }

        if (live is JsonArray liveArray && applied is JsonArray appliedArray && node.Kind == SchemaKind.List
            && ListItems.Name(liveArray, node.List) is { } liveNames
            && ListItems.Name(appliedArray, node.List) is { } appliedNames)
        {
            var itemNode = _schema.Item(node);
            var result = new JsonArray();
            var positions = new Dictionary<PathElement, int>();
            for (var i = 0; i < liveArray.Count; i++)
            {
                positions[liveNames[i]] = i;
                result.Add(liveArray[i]?.DeepClone());
            }

            for (var i = 0; i < appliedArray.Count; i++)
            {
                if (positions.TryGetValue(appliedNames[i], out var at))
                {
                    result[at] = Merge(liveArray[at], appliedArray[i], itemNode);
                }
                else
                {
                    result.Add(appliedArray[i]?.DeepClone());
                }
            }

            return result;
        }

        return applied.DeepClone();
    }

    /// <summary>Removes the field or list item at <paramref name="path"/>; false when it is not there.</summary>
    public bool Remove(JsonNode root, SchemaNode rootNode, FieldPath path)
    {
        if (path.IsRoot || Locate(root, rootNode, path.Parent) is not ({ } parent, var parentNode))
        {
            return false;
        }

        var last = path.Last;
        switch (parent)
        {
            case JsonObject obj when last.Kind == PathElementKind.Field:
                return obj.Remove(last.FieldName!); // a Field element always has a name
            case JsonArray array when IndexOf(array, parentNode, last) is var at and >= 0:
                array.RemoveAt(at);
                return true;
            default:
                return false;
        }
    }

    /// <summary>True when the object has a value at <paramref name="path"/>.</summary>
    public bool Exists(JsonNode root, SchemaNode rootNode, FieldPath path) => Locate(root, rootNode, path).Value is not null;

    private (JsonNode? Value, SchemaNode Node) Locate(JsonNode root, SchemaNode rootNode, FieldPath path)
    {
        JsonNode? current = root;
        var node = rootNode;
        foreach (var element in path.Elements)
        {
            switch (current)
            {
                case JsonObject obj when element.Kind == PathElementKind.Field:
                    var name = element.FieldName!; // a Field element always has a name
                    current = obj.TryGetPropertyValue(name, out var child) ? child : null;
                    node = _schema.Child(node, name);
                    break;
                case JsonArray array when IndexOf(array, node, element) is var at and >= 0:
                    current = array[at];
                    node = _schema.Item(node);
                    break;
                default:
                    return (null, node);
            }
        }

        return (current, node);
    }

    private static int IndexOf(JsonArray array, SchemaNode listNode, PathElement element)
    {
        if (element.Kind == PathElementKind.Index)
        {
            var index = element.IndexValue();
            return index < array.Count ? index : -1;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (listNode.List.ItemElement(array[i]) == element)
            {
                return i;
            }
        }

        return -1;
    }
}
