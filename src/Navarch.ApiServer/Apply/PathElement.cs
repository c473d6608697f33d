using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Apply;

/// <summary>
/// One step of a field path, kept in its canonical FieldsV1 spelling (<c>f:</c>, <c>k:</c>, <c>v:</c> or <c>i:</c>
/// followed by the content), which is also its identity: key fields are sorted by name and JSON is written compactly,
/// so two elements naming the same thing compare equal whatever spelling they were parsed from.
/// </summary>
public readonly struct PathElement : IEquatable<PathElement>, IComparable<PathElement>
{
    private static readonly JsonSerializerOptions s_canonical = new()
    {
        // Only what JSON requires is escaped, so keys stay readable ("k:{\"name\":\"a+b\"}").
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    private PathElement(PathElementKind kind, string encoded)
    {
        Kind = kind;
        Encoded = encoded;
    }

    public PathElementKind Kind { get; }

    /// <summary>The FieldsV1 spelling, e.g. <c>f:spec</c> or <c>k:{"name":"nginx"}</c>.</summary>
    public string Encoded { get; }

    /// <summary>The field name for a <see cref="PathElementKind.Field"/> element, else null.</summary>
    public string? FieldName => Kind == PathElementKind.Field ? Encoded[2..] : null;

    public static PathElement Field(string name) => new(PathElementKind.Field, "f:" + name);

    public static PathElement Index(int index) =>
        new(PathElementKind.Index, "i:" + index.ToString(CultureInfo.InvariantCulture));

    /// <summary>A set item, named by its (scalar) value.</summary>
    public static PathElement Value(JsonNode? value) => new(PathElementKind.Value, "v:" + Canonical(value));

    /// <summary>An associative-list item, named by its key fields (sorted by name, as structured-merge-diff does).</summary>
    public static PathElement Key(IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        var sorted = fields.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        var builder = new StringBuilder("k:{");
        for (var i = 0; i < sorted.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(JsonSerializer.Serialize(sorted[i].Key, s_canonical)).Append(':').Append(Canonical(sorted[i].Value));
        }

        return new PathElement(PathElementKind.Key, builder.Append('}').ToString());
    }

    /// <summary>Parses one FieldsV1 key such as <c>f:metadata</c>; throws <see cref="FormatException"/> when malformed.</summary>
    public static PathElement Parse(string encoded)
    {
        if (encoded.Length < 2 || encoded[1] != ':')
        {
            throw new FormatException($"invalid path element \"{encoded}\": missing type prefix");
        }

        var content = encoded[2..];
        try
        {
            switch (encoded[0])
            {
                case 'f':
                    return Field(content);
                case 'v':
                    return Value(JsonNode.Parse(content));
                case 'i':
                    return Index(int.Parse(content, NumberStyles.None, CultureInfo.InvariantCulture));
                case 'k':
                    if (JsonNode.Parse(content) is not JsonObject keyObject)
                    {
                        throw new FormatException($"invalid path element \"{encoded}\": key is not a JSON object");
                    }

                    return Key(keyObject.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value)));
                default:
                    throw new FormatException($"invalid path element \"{encoded}\": unknown type '{encoded[0]}'");
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"invalid path element \"{encoded}\": {e.Message}", e);
        }
    }

    /// <summary>The key fields of a <see cref="PathElementKind.Key"/> element, in name order.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> KeyFields() =>
        Kind == PathElementKind.Key && JsonNode.Parse(Encoded[2..]) is JsonObject o
            ? o.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone())).ToList()
            : [];

    /// <summary>The value of a <see cref="PathElementKind.Value"/> element.</summary>
    public JsonNode? SetValue() => Kind == PathElementKind.Value ? JsonNode.Parse(Encoded[2..]) : null;

    /// <summary>The position of an <see cref="PathElementKind.Index"/> element.</summary>
    public int IndexValue() => Kind == PathElementKind.Index ? int.Parse(Encoded[2..], CultureInfo.InvariantCulture) : -1;

    /// <summary>
    /// The spelling structured-merge-diff uses in messages: <c>.spec</c>, <c>[name="nginx"]</c>, <c>[=value]</c>, <c>[0]</c>.
    /// </summary>
    public override string ToString() => Kind switch
    {
        PathElementKind.Field => "." + Encoded[2..],
        PathElementKind.Key => "[" + string.Join(",", KeyFields().Select(f => f.Key + "=" + Canonical(f.Value))) + "]",
        PathElementKind.Value => "[=" + Encoded[2..] + "]",
        _ => "[" + Encoded[2..] + "]",
    };

    public bool Equals(PathElement other) => string.Equals(Encoded, other.Encoded, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is PathElement other && Equals(other);

    public override int GetHashCode() => Encoded is null ? 0 : StringComparer.Ordinal.GetHashCode(Encoded);

    /// <summary>Fields sort before keys, keys before values, values before indexes; then by spelling.</summary>
    public int CompareTo(PathElement other)
    {
        var byKind = Kind.CompareTo(other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Encoded, other.Encoded);
    }

    public static bool operator ==(PathElement left, PathElement right) => left.Equals(right);

    public static bool operator !=(PathElement left, PathElement right) => !left.Equals(right);

    public static bool operator <(PathElement left, PathElement right) => left.CompareTo(right) < 0;

    public static bool operator >(PathElement left, PathElement right) => left.CompareTo(right) > 0;

    public static bool operator <=(PathElement left, PathElement right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PathElement left, PathElement right) => left.CompareTo(right) >= 0;

    /// <summary>Compact JSON with object members sorted, so equal values have one spelling.</summary>
    internal static string Canonical(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => JsonSerializer.Serialize(p.Key, s_canonical) + ":" + Canonical(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        _ => value.ToJsonString(s_canonical),
    };
}
