using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// Reads query parameters as kube-apiserver's parameter codec converts them into options objects, and writes the
/// kubelet's query strings.
/// </summary>
internal static class QueryValues
{
    /// <summary>As Go's <c>Convert_Slice_string_To_bool</c>: absent is false; "0" and "false" are false; anything else is true.</summary>
    public static bool Flag(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return false;
        }

        var first = values[0] ?? "";
        return !(first == "0" || first.Equals("false", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>An optional integer; absent or empty is null, anything unparsable a 400 with strconv's wording.</summary>
    public static long? Int64(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return null;
        }

        var text = values[0]!;
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ApiException.BadRequest($"strconv.ParseInt: parsing \"{text}\": invalid syntax");
    }

    public static string? String(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    /// <summary>Encodes <paramref name="parameters"/> in order, percent-escaping names and values.</summary>
    public static string Encode(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            builder.Append(builder.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }
}
