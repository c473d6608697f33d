using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// A set of field paths: what one manager owns, or what changed between two objects. Encodes to and decodes from
/// Kubernetes' FieldsV1 form, the nested map in which each key is a path element (<c>f:</c>, <c>k:</c>, <c>v:</c>,
/// <c>i:</c>) and <c>".": {}</c> marks that a node with children is itself in the set.
/// </summary>
/// <remarks>
/// A flat hash set of whole paths keeps the set algebra obvious; sets hold tens to hundreds of paths and are
/// built once per write request, so the prefix scans below are cheap enough.
/// </remarks>
public sealed class FieldSet
{
    private static readonly JsonSerializerOptions s_readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HashSet<FieldPath> _paths;

    public FieldSet()
    {
        _paths = [];
    }

    public FieldSet(IEnumerable<FieldPath> paths)
    {
        _paths = [.. paths.Where(p => !p.IsRoot)];
    }

    public int Count => _paths.Count;

    public bool IsEmpty => _paths.Count == 0;

    /// <summary>The paths in structured-merge-diff's order (ancestors first).</summary>
    public IEnumerable<FieldPath> Paths => _paths.Order();

    public bool Contains(FieldPath path) => _paths.Contains(path);

    /// <summary>Adds a path; the root path is never a member and is ignored.</summary>
    public void Insert(FieldPath path)
    {
        if (!path.IsRoot)
        {
            _paths.Add(path);
        }
    }

    public bool Remove(FieldPath path) => _paths.Remove(path);

    /// <summary>True when some member lies strictly below <paramref name="prefix"/>.</summary>
    public bool HasDescendantOf(FieldPath prefix) => _paths.Any(p => p.Length > prefix.Length && p.StartsWith(prefix));

    /// <summary>Removes every member equal to or below <paramref name="prefix"/>.</summary>
    public void RemoveSubtree(FieldPath prefix) => _paths.RemoveWhere(p => p.StartsWith(prefix));

    public FieldSet Union(FieldSet other)
    {
        var result = new FieldSet(_paths);
        result._paths.UnionWith(other._paths);
        return result;
    }

    public FieldSet Intersect(FieldSet other)
    {
        var result = new FieldSet(_paths);
        result._paths.IntersectWith(other._paths);
        return result;
    }

    public FieldSet Except(FieldSet other)
    {
        var result = new FieldSet(_paths);
        result._paths.ExceptWith(other._paths);
        return result;
    }

    public bool SetEquals(FieldSet other) => _paths.SetEquals(other._paths);

    /// <summary>Encodes as FieldsV1, with keys in structured-merge-diff's order and <c>"."</c> first.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new Node();
        foreach (var path in _paths)
        {
            var node = root;
            foreach (var element in path.Elements)
            {
                node = node.Child(element);
            }

            node.Member = true;
        }

        return root.ToJson();
    }

    /// <summary>Decodes FieldsV1; throws <see cref="FormatException"/> for a malformed key or a non-object value.</summary>
    public static FieldSet FromFieldsV1(JsonObject fieldsV1)
    {
        var set = new FieldSet();
        Decode(fieldsV1, FieldPath.Root, set);
        return set;
    }

    private static void Decode(JsonObject node, FieldPath path, FieldSet into)
    {
        foreach (var (key, value) in node)
        {
            if (value is not JsonObject child)
            {
                throw new FormatException($"FieldsV1 value for \"{key}\" must be an object");
            }

            if (key == ".")
            {
                into.Insert(path);
                continue;
            }

            var childPath = path.Append(PathElement.Parse(key));
            if (child.Count == 0)
            {
                into.Insert(childPath);
            }
            else
            {
                Decode(child, childPath, into);
            }
        }
    }

    /// <summary>The FieldsV1 JSON, with quotes inside keys left readable (<c>k:{"name":"nginx"}</c>).</summary>
    public override string ToString() => ToFieldsV1().ToJsonString(s_readable);

    private sealed class Node
    {
        private readonly SortedDictionary<PathElement, Node> _children = [];

        public bool Member { get; set; }

        public Node Child(PathElement element)
        {
            if (!_children.TryGetValue(element, out var child))
            {
                child = new Node();
                _children.Add(element, child);
            }

            return child;
        }

        public JsonObject ToJson()
        {
            var json = new JsonObject();
            if (Member && _children.Count > 0)
            {
                json["."] = new JsonObject();
            }

            foreach (var (element, child) in _children)
            {
                json[element.Encoded] = child.ToJson();
            }

            return json;
        }
    }
}
