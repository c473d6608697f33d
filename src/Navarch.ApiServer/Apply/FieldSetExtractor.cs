using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// Computes the field set an object (or an applied configuration) speaks for, as structured-merge-diff's
/// <c>ToFieldSet</c> does: every leaf; every associative-list and set item (the item itself and its fields); every entry
/// of a free-key map; empty objects and explicit nulls as leaves. Struct fields that hold non-empty objects appear only
/// as prefixes of their leaves.
/// </summary>
internal sealed class FieldSetExtractor
{
    private readonly ModelSchema _schema;

    public FieldSetExtractor(ModelSchema schema)
    {
        _schema = schema;
    }

    public FieldSet Extract(JsonNode? value, SchemaNode node)
    {
        var set = new FieldSet();
        Visit(value, node, FieldPath.Root, set);
        return set;
    }

    /// <param name="markMaps">
    /// Also own each non-empty free-key map as a whole, as kube-apiserver's update tracking does for maps a write
    /// creates (it writes them with <c>".": {}</c>, e.g. under <c>f:labels</c>); an applied configuration does not.
    /// </param>
    public void Visit(JsonNode? value, SchemaNode node, FieldPath path, FieldSet into, bool markMaps = false)
    {
        switch (value)
        {
            case JsonObject obj when node.Kind is SchemaKind.Struct or SchemaKind.Map:
                if (obj.Count == 0 || (markMaps && node.Kind == SchemaKind.Map))
                {
                    into.Insert(path);
                }

                foreach (var (name, child) in obj)
                {
                    var childPath = path.Append(PathElement.Field(name));
                    if (node.Kind == SchemaKind.Map || child is null)
                    {
                        into.Insert(childPath);
                    }

                    if (child is not null)
                    {
                        Visit(child, _schema.Child(node, name), childPath, into, markMaps);
                    }
                }

                return;
            case JsonArray array when node.Kind == SchemaKind.List && ListItems.Name(array, node.List) is { } names:
                var itemNode = _schema.Item(node);
                for (var i = 0; i < array.Count; i++)
                {
                    var itemPath = path.Append(names[i]);
                    into.Insert(itemPath);
                    if (node.List.Kind == ListKind.Map)
                    {
                        Visit(array[i], itemNode, itemPath, into, markMaps);
                    }
                }

                return;
            default:
                into.Insert(path);
                return;
        }
    }
}
