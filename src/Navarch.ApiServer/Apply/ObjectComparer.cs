using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Apply;

/// <summary>The paths added, modified and removed between two versions of an object.</summary>
internal sealed record Comparison(FieldSet Added, FieldSet Modified, FieldSet Removed)
{
    /// <summary>Paths whose value the new version sets (added or modified): what the writer takes ownership of.</summary>
    public FieldSet Changed => Added.Union(Modified);
}

/// <summary>
/// Compares two versions of an object field by field, in the spirit of structured-merge-diff's <c>Compare</c>: leaves
/// and atomic lists compare by value, associative-list items by their keys, maps by entry.
/// </summary>
internal sealed class ObjectComparer
{
    private readonly ModelSchema _schema;
    private readonly FieldSetExtractor _extractor;

    public ObjectComparer(ModelSchema schema, FieldSetExtractor extractor)
    {
        _schema = schema;
        _extractor = extractor;
    }

    public Comparison Compare(JsonNode? before, JsonNode? after, SchemaNode node)
    {
        var result = new Comparison(new FieldSet(), new FieldSet(), new FieldSet());
        Visit(before, after, node, FieldPath.Root, result);
        return result;
    }

    private void Visit(JsonNode? before, JsonNode? after, SchemaNode node, FieldPath path, Comparison result)
    {
        if (before is null && after is null)
        {
            return;
        }

        if (before is null)
        {
            _extractor.Visit(after, node, path, result.Added, markMaps: true);
            return;
        }

        if (after is null)
        {
            result.Removed.Insert(path);
            _extractor.Visit(before, node, path, result.Removed);
            return;
        }

        if (before is JsonObject beforeObject && after is JsonObject afterObject
            && node.Kind is SchemaKind.Struct or SchemaKind.Map)
        {
            foreach (var name in beforeObject.Select(p => p.Key).Union(afterObject.Select(p => p.Key)))
            {
                var childPath = path.Append(PathElement.Field(name));
                var childBefore = beforeObject.TryGetPropertyValue(name, out var b) ? b : null;
                var childAfter = afterObject.TryGetPropertyValue(name, out var a) ? a : null;
                Visit(childBefore, childAfter, _schema.Child(node, name), childPath, result);
            }

            return;
        }

        if (before is JsonArray beforeArray && after is JsonArray afterArray && node.Kind == SchemaKind.List
            && ListItems.Name(beforeArray, node.List) is { } beforeNames
            && ListItems.Name(afterArray, node.List) is { } afterNames)
        {
            var itemNode = _schema.Item(node);
            var beforeItems = new Dictionary<PathElement, JsonNode?>();
            for (var i = 0; i < beforeNames.Length; i++)
            {
                beforeItems[beforeNames[i]] = beforeArray[i];
            }

            for (var i = 0; i < afterNames.Length; i++)
            {
                var itemPath = path.Append(afterNames[i]);
                if (beforeItems.Remove(afterNames[i], out var beforeItem))
                {
                    Visit(beforeItem, afterArray[i], itemNode, itemPath, result);
                }
                else
                {
                    result.Added.Insert(itemPath);
                    if (node.List.Kind == ListKind.Map)
                    {
                        _extractor.Visit(afterArray[i], itemNode, itemPath, result.Added, markMaps: true);
                    }
                }
            }

            foreach (var (name, beforeItem) in beforeItems)
            {
                var itemPath = path.Append(name);
                result.Removed.Insert(itemPath);
                if (node.List.Kind == ListKind.Map)
                {
                    _extractor.Visit(beforeItem, itemNode, itemPath, result.Removed);
                }
            }

            return;
        }

        if (!JsonNode.DeepEquals(before, after))
        {
            result.Modified.Insert(path);
        }
    }
}
