using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.Api;

/// <summary>
/// Formats values the way Go's fmt verbs do, so that error messages match the ones Kubernetes
/// (written in Go) produces: <c>%q</c> for strings, <c>%#v</c> for string slices, <c>%v</c> for
/// decoded JSON maps.
/// </summary>
internal static class GoFormat
{
    /// <summary>Go's <c>strconv.Quote</c> (the <c>%q</c> verb) for a string.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        AppendQuoted(sb, value);
        return sb.ToString();
    }

    public static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>Go's <c>%#v</c> for a <c>[]string</c>; an empty or missing list prints as a nil slice.</summary>
    public static string StringSlice(IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return "[]string(nil)";
        }

        var sb = new StringBuilder("[]string{");
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            AppendQuoted(sb, values[i]);
        }

        return sb.Append('}').ToString();
    }

    /// <summary>Go's <c>%v</c> for a value decoded from JSON into <c>interface{}</c> (maps print with sorted keys).</summary>
    public static string Value(JsonNode? node)
    {
        var sb = new StringBuilder();
        AppendValue(sb, node);
        return sb.ToString();
    }

    private static void AppendValue(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("<nil>");
                break;
            case JsonObject obj:
                var keys = new List<string>(obj.Count);
                foreach (var member in obj)
                {
                    keys.Add(member.Key);
                }

                keys.Sort(StringComparer.Ordinal);
                sb.Append("map[");
                for (var i = 0; i < keys.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(' ');
                    }

                    sb.Append(keys[i]).Append(':');
                    AppendValue(sb, obj[keys[i]]);
                }

                sb.Append(']');
                break;
            case JsonArray arr:
                sb.Append('[');
                for (var i = 0; i < arr.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(' ');
                    }

                    AppendValue(sb, arr[i]);
                }

                sb.Append(']');
                break;
            default:
                var element = node.GetValueKind();
                switch (element)
                {
                    case JsonValueKind.String:
                        sb.Append(node.GetValue<string>());
                        break;
                    case JsonValueKind.Number:
                        // encoding/json decodes numbers into float64, and %v prints them in their shortest form.
                        var d = double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
                        sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                        break;
                    default:
                        sb.Append(node.ToJsonString());
                        break;
                }

                break;
        }
    }
}
