using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Apply;

/// <summary>Names the items of set and map lists.</summary>
internal static class ListItems
{
    /// <summary>
    /// The path element of each item, or null when the list must be handled as atomic: it is atomic by schema, an item
    /// cannot be named, or two items share a name (structured-merge-diff rejects such lists; treating them whole is the
    /// forgiving choice for data written before apply saw it).
    /// </summary>
    public static PathElement[]? Name(JsonArray array, ListShape shape)
    {
        if (shape.Kind == ListKind.Atomic)
        {
            return null;
        }

        var names = new PathElement[array.Count];
        var seen = new HashSet<PathElement>();
        for (var i = 0; i < array.Count; i++)
        {
            if (shape.ItemElement(array[i]) is not { } name || !seen.Add(name))
            {
                return null;
            }

            names[i] = name;
        }

        return names;
    }
}
