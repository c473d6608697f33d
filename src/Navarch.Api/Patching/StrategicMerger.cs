using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>
/// The merge itself. Works in place on a private copy of the original (whose nodes it owns and may move),
/// reads the patch without changing it, and clones every patch value it keeps.
/// </summary>
internal sealed class StrategicMerger(PatchMetadata metadata)
{
    private const string PatchDirective = "$patch";
    private const string RetainKeysDirective = "$retainKeys";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";
    private const string SetElementOrderPrefix = "$setElementOrder/";

    private enum ElementKind
    {
        None,
        Scalar,
        Object,
    }

    public JsonObject MergeMap(JsonObject original, JsonObject patch, NodeSchema schema)
    {
        if (patch.TryGetPropertyValue(PatchDirective, out var directive))
        {
            switch (DirectiveName(directive))
            {
                case "replace":
                    // The map becomes the patch's content (without the directive).
                    return MergeMembers([], patch, schema);
                case "delete":
                    return [];
                default:
                    throw BadRequest($"unknown patch type: {DirectiveText(directive)} in map: {GoFormat.Value(patch)}");
            }
        }

        return MergeMembers(original, patch, schema);
    }

    private static string? DirectiveName(JsonNode? directive) =>
        directive is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string DirectiveText(JsonNode? directive) => DirectiveName(directive) ?? GoFormat.Value(directive);

    private static PatchException BadRequest(string message) => new(PatchErrorKind.BadRequest, message);

    private static JsonValueKind KindOf(JsonNode? node) => node switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        _ => node.GetValueKind(),
    };

    private static NodeSchema SchemaOf(FieldPatchInfo? info) => info?.Shape switch
    {
        FieldShape.Object => new NodeSchema(info.ElementType, IsMap: false),
        FieldShape.Map => new NodeSchema(info.ElementType, IsMap: true),
        _ => NodeSchema.None,
    };

    private FieldPatchInfo? Lookup(NodeSchema schema, string key)
    {
        if (schema.Type is null)
        {
            return null;
        }

        return schema.IsMap ? metadata.DescribeValue(schema.Type) : metadata.Lookup(schema.Type, key);
    }

    private NodeSchema ElementSchema(FieldPatchInfo? listInfo) =>
        listInfo is { Shape: FieldShape.List, ElementType: { } element } ? SchemaOf(metadata.DescribeValue(element)) : NodeSchema.None;

    private JsonObject MergeMembers(JsonObject original, JsonObject patch, NodeSchema schema)
    {
        ApplyRetainKeys(original, patch);

        HashSet<string>? ordered = null;
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                var field = key[SetElementOrderPrefix.Length..];
                if (ApplySetElementOrder(original, patch, field, value, schema))
                {
                    (ordered ??= new HashSet<string>(StringComparer.Ordinal)).Add(field);
                }
            }
        }

        foreach (var (key, value) in patch)
        {
            if (key is PatchDirective or RetainKeysDirective || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                DeleteFromPrimitiveList(original, key[DeleteFromPrimitiveListPrefix.Length..], value);
                continue;
            }

            if (ordered is not null && ordered.Contains(key))
            {
                continue;
            }

            if (value is null)
            {
                original.Remove(key);
                continue;
            }

            var info = Lookup(schema, key);
            if (!original.TryGetPropertyValue(key, out var existing) || KindOf(existing) != KindOf(value))
            {
                original[key] = NewValue(value, info);
                continue;
            }

            switch (value)
            {
                case JsonObject patchObject when (info?.Strategy & PatchStrategy.Replace) == 0:
                    MergeMapInto(original, key, (JsonObject)existing!, patchObject, SchemaOf(info));
                    break;
                case JsonArray patchArray when info is not null && (info.Strategy & PatchStrategy.Merge) != 0:
                    var mergedList = MergeList((JsonArray)existing!, patchArray, info);
                    if (!ReferenceEquals(mergedList, existing))
                    {
                        original[key] = mergedList;
                    }

                    break;
                default:
                    original[key] = NewValue(value, info);
                    break;
            }
        }

        return original;
    }

    private void MergeMapInto(JsonObject parent, string key, JsonObject existing, JsonObject patch, NodeSchema schema)
    {
        var merged = MergeMap(existing, patch, schema);
        if (!ReferenceEquals(merged, existing))
        {
            parent[key] = merged;
        }
    }

    /// <summary>
    /// A patch value with nothing to merge into: its directives are still applied (against an empty value)
    /// and its nulls dropped, as kube-apiserver does with IgnoreUnmatchedNulls, so none reach the result.
    /// </summary>
    private JsonNode? NewValue(JsonNode? value, FieldPatchInfo? info)
    {
        switch (value)
        {
            case JsonObject obj:
                return MergeMap([], obj, SchemaOf(info));
            case JsonArray array when info is not null && (info.Strategy & PatchStrategy.Merge) != 0:
                return MergeList([], array, info);
            case JsonArray array:
                var elementSchema = ElementSchema(info);
                var copy = new JsonArray();
                foreach (var item in array)
                {
                    copy.Add(item is JsonObject itemObject ? MergeMap([], itemObject, elementSchema) : item?.DeepClone());
                }

                return copy;
            default:
                return value?.DeepClone();
        }
    }

    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var retain))
        {
            return;
        }

        if (retain is not JsonArray retainList)
        {
            throw BadRequest("invalid patch format of retainKeys");
        }

        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in retainList)
        {
            if (DirectiveName(item) is { } name)
            {
                keep.Add(name);
            }
        }

        // Every field the patch sets must be retained, or the patch contradicts itself.
        foreach (var (key, value) in patch)
        {
            if (value is null || key is RetainKeysDirective or PatchDirective
                || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!keep.Contains(key))
            {
                throw BadRequest("invalid patch format of retainKeys");
            }
        }

        List<string>? drop = null;
        foreach (var (key, _) in original)
        {
            if (!keep.Contains(key))
            {
                (drop ??= []).Add(key);
            }
        }

        if (drop is not null)
        {
            foreach (var key in drop)
            {
                original.Remove(key);
            }
        }
    }

    private static void DeleteFromPrimitiveList(JsonObject original, string field, JsonNode? toDelete)
    {
        if (toDelete is not JsonArray deleteList)
        {
            throw BadRequest("invalid patch format of primitive list");
        }

        if (!original.TryGetPropertyValue(field, out var existing) || existing is not JsonArray list)
        {
            return;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (IndexOf(deleteList, list[i], null) >= 0)
            {
                list.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Merges a list with a merge strategy: primitives as an ordered set, objects by merge key, honouring
    /// <c>$patch: delete</c> and <c>$patch: replace</c> items; then orders the result as strategicpatch does
    /// (patch items in patch order, interleaved with server-only items by their original positions).
    /// </summary>
    private JsonArray MergeList(JsonArray original, JsonArray patch, FieldPatchInfo info)
    {
        if (original.Count == 0 && patch.Count == 0)
        {
            return original;
        }

        var kind = ElementKindOf(original, patch);
        var mergeKey = info.MergeKey;
        var items = Detach(original);
        List<JsonNode?> order;
        List<JsonNode?> patchItems;
        if (kind != ElementKind.Object)
        {
            order = [.. items];
            patchItems = [.. patch];
            foreach (var item in patch)
            {
                if (IndexOf(items, item, null) < 0)
                {
                    items.Add(item?.DeepClone());
                }
            }

            mergeKey = null;
        }
        else
        {
            if (mergeKey is null)
            {
                throw BadRequest($"cannot merge lists without merge key for {info.JsonName}");
            }

            var elementSchema = ElementSchema(info);
            patchItems = [];
            var replace = false;
            foreach (var node in patch)
            {
                var item = (JsonObject)node!;
                if (!item.TryGetPropertyValue(PatchDirective, out var directive))
                {
                    patchItems.Add(item);
                    continue;
                }

                switch (DirectiveName(directive))
                {
                    case "delete":
                        if (!item.TryGetPropertyValue(mergeKey, out var deleteKey))
                        {
                            throw NoMergeKey(item, mergeKey);
                        }

                        items.RemoveAll(o => JsonNode.DeepEquals((o as JsonObject)?[mergeKey], deleteKey));
                        break;
                    case "replace":
                        replace = true;
                        break;
                    case "merge":
                        throw BadRequest("merging lists cannot yet be specified in the patch");
                    default:
                        throw BadRequest($"unknown patch type: {DirectiveText(directive)} in map: {GoFormat.Value(item)}");
                }
            }

            if (replace)
            {
                items = patchItems.Select(p => (JsonNode?)MergeMap([], (JsonObject)p!, elementSchema)).ToList();
                patchItems = [];
            }

            order = [.. items];
            foreach (var node in patchItems)
            {
                var item = (JsonObject)node!;
                if (!item.TryGetPropertyValue(mergeKey, out var keyValue))
                {
                    throw NoMergeKey(item, mergeKey);
                }

                var index = items.FindIndex(o => o is JsonObject existing && existing.TryGetPropertyValue(mergeKey, out var k) && JsonNode.DeepEquals(k, keyValue));
                if (index >= 0)
                {
                    items[index] = MergeMap((JsonObject)items[index]!, item, elementSchema);
                }
                else
                {
                    items.Add(MergeMap([], item, elementSchema));
                }
            }
        }

        var (fromPatch, serverOnly) = Partition(items, patchItems, mergeKey);
        return new JsonArray([.. NormalizeOrder(fromPatch, serverOnly, patchItems, order, mergeKey)]);
    }

    /// <summary>
    /// <c>$setElementOrder/field</c>: merges the field's list as usual, then orders it: items named in the
    /// directive in its order, the others (server-only) placed by their original positions.
    /// Returns whether the field was handled (so the main loop skips it).
    /// </summary>
    private bool ApplySetElementOrder(JsonObject original, JsonObject patch, string field, JsonNode? directive, NodeSchema schema)
    {
        if (directive is not JsonArray orderList)
        {
            throw BadRequest("invalid patch format of setElementOrder list");
        }

        original.TryGetPropertyValue(field, out var originalNode);
        var hasPatch = patch.TryGetPropertyValue(field, out var patchNode);
        if (hasPatch && patchNode is null)
        {
            // A null deletes the list; the order no longer matters.
            return false;
        }

        var originalList = originalNode as JsonArray;
        var patchList = patchNode as JsonArray;
        if (originalList is null && patchList is null)
        {
            return hasPatch;
        }

        var info = Lookup(schema, field);
        var mergeKey = info?.MergeKey;
        List<JsonNode?> serverOrder = originalList is null ? [] : [.. originalList.Select(n => n?.DeepClone())];
        JsonArray merged;
        if (patchList is null)
        {
            merged = originalList!;
        }
        else if (originalList is null || info is null || (info.Strategy & PatchStrategy.Merge) == 0)
        {
            merged = (JsonArray)NewValue(patchList, info)!;
        }
        else
        {
            merged = MergeList(originalList, patchList, info);
        }

        var items = Detach(merged);
        List<JsonNode?> order = [.. orderList];
        var (named, serverOnly) = Partition(items, order, mergeKey);
        original[field] = new JsonArray([.. NormalizeOrder(named, serverOnly, order, serverOrder, mergeKey)]);
        return hasPatch;
    }

    private static PatchException NoMergeKey(JsonObject item, string mergeKey) =>
        BadRequest($"map: {GoFormat.Value(item)} does not contain declared merge key: {mergeKey}");

    private static ElementKind ElementKindOf(JsonArray original, JsonArray patch)
    {
        var kind = ElementKind.None;
        foreach (var list in (ReadOnlySpan<JsonArray>)[original, patch])
        {
            foreach (var item in list)
            {
                var current = item switch
                {
                    JsonArray => throw BadRequest("lists of lists are not supported"),
                    JsonObject => ElementKind.Object,
                    _ => ElementKind.Scalar,
                };
                if (kind != ElementKind.None && kind != current)
                {
                    throw BadRequest($"list element types are not identical: [{GoFormat.Value(original)} {GoFormat.Value(patch)}]");
                }

                kind = current;
            }
        }

        return kind;
    }

    private static List<JsonNode?> Detach(JsonArray array)
    {
        var items = new List<JsonNode?>(array.Count);
        for (var i = array.Count - 1; i >= 0; i--)
        {
            items.Add(array[i]);
            array.RemoveAt(i);
        }

        items.Reverse();
        return items;
    }

    private static JsonNode? KeyOf(JsonNode? item, string? mergeKey) =>
        mergeKey is null ? item : item is JsonObject obj && obj.TryGetPropertyValue(mergeKey, out var key) ? key : null;

    private static int IndexOf(IEnumerable<JsonNode?> list, JsonNode? item, string? mergeKey)
    {
        var key = KeyOf(item, mergeKey);
        var index = 0;
        foreach (var candidate in list)
        {
            if (JsonNode.DeepEquals(KeyOf(candidate, mergeKey), key))
            {
                return index;
            }

            index++;
        }

        return -1;
    }

    private static (List<JsonNode?> Present, List<JsonNode?> Absent) Partition(List<JsonNode?> items, List<JsonNode?> reference, string? mergeKey)
    {
        var present = new List<JsonNode?>();
        var absent = new List<JsonNode?>();
        foreach (var item in items)
        {
            (IndexOf(reference, item, mergeKey) >= 0 ? present : absent).Add(item);
        }

        return (present, absent);
    }

    /// <summary>
    /// As strategicpatch.normalizeElementOrder: sorts patch items by the patch's order and server-only items
    /// by the original order, then interleaves them (mergeSortedSlice): a server-only item goes before the
    /// next patch item when the original list had it earlier.
    /// </summary>
    private static List<JsonNode?> NormalizeOrder(
        List<JsonNode?> patchItems,
        List<JsonNode?> serverOnly,
        List<JsonNode?> patchOrder,
        List<JsonNode?> serverOrder,
        string? mergeKey)
    {
        var right = SortByOrder(patchItems, patchOrder, mergeKey);
        var left = SortByOrder(serverOnly, serverOrder, mergeKey);
        var result = new List<JsonNode?>(left.Count + right.Count);
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            if (j >= right.Count)
            {
                result.Add(left[i++]);
            }
            else if (i >= left.Count)
            {
                result.Add(right[j++]);
            }
            else
            {
                var li = IndexOf(serverOrder, left[i], mergeKey);
                var ri = IndexOf(serverOrder, right[j], mergeKey);
                result.Add(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
            }
        }

        return result;
    }

    // Stable: items found in the order list by their position there, the others after them as they were.
    private static List<JsonNode?> SortByOrder(List<JsonNode?> items, List<JsonNode?> order, string? mergeKey) =>
        items
            .Select(item => (Item: item, Index: IndexOf(order, item, mergeKey)))
            .OrderBy(x => x.Index < 0 ? int.MaxValue : x.Index)
            .Select(x => x.Item)
            .ToList();
}
