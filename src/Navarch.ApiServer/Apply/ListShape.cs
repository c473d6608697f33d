using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Apply;

/// <summary>How server-side apply treats a list (structured-merge-diff's <c>listType</c>).</summary>
internal enum ListKind
{
    /// <summary>Owned and replaced as a whole (<c>listType: atomic</c>, the default).</summary>
    Atomic,

    /// <summary>A set of scalars, each item owned on its own (<c>listType: set</c>).</summary>
    Set,

    /// <summary>Items of objects identified by key fields (<c>listType: map</c>).</summary>
    Map,
}

/// <summary>
/// A list's apply shape: its kind and, for <see cref="ListKind.Map"/>, its key fields with the defaults used when an
/// item omits one (as the OpenAPI schema's defaults do for <c>protocol: TCP</c> on ports).
/// </summary>
internal sealed record ListShape(ListKind Kind, IReadOnlyList<string> Keys, IReadOnlyDictionary<string, string> KeyDefaults)
{
    private static readonly Dictionary<string, string> s_noDefaults = [];

    public static ListShape Atomic { get; } = new(ListKind.Atomic, [], s_noDefaults);

    public static ListShape Set { get; } = new(ListKind.Set, [], s_noDefaults);

    public static ListShape Map(params string[] keys) => new(ListKind.Map, keys, s_noDefaults);

    public static ListShape Map(IReadOnlyList<string> keys, IReadOnlyDictionary<string, string> defaults) =>
        new(ListKind.Map, keys, defaults);

    /// <summary>
    /// The path element naming <paramref name="item"/> in this list, or null when it cannot be named (a map item that is
    /// not an object or lacks a key without default; a set item that is not a scalar), in which case callers fall back to
    /// treating the list as atomic.
    /// </summary>
    public PathElement? ItemElement(JsonNode? item)
    {
        switch (Kind)
        {
            case ListKind.Map:
                if (item is not JsonObject obj)
                {
                    return null;
                }

                var fields = new List<KeyValuePair<string, JsonNode?>>(Keys.Count);
                foreach (var key in Keys)
                {
                    if (obj.TryGetPropertyValue(key, out var value) && value is not null)
                    {
                        fields.Add(new(key, value));
                    }
                    else if (KeyDefaults.TryGetValue(key, out var fallback))
                    {
                        fields.Add(new(key, JsonValue.Create(fallback)));
                    }
                    else
                    {
                        return null;
                    }
                }

                return PathElement.Key(fields);
            case ListKind.Set:
                return item is JsonValue ? PathElement.Value(item) : null;
            default:
                return null;
        }
    }
}
