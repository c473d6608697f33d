using System.Globalization;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.Handlers;

/// <summary>The query parameters of list and watch requests (meta/v1 ListOptions).</summary>
public sealed record ListOptions(
    string? LabelSelector,
    string? FieldSelector,
    int Limit,
    string? Continue,
    string? ResourceVersion,
    string? ResourceVersionMatch,
    bool Watch,
    bool AllowWatchBookmarks,
    int? TimeoutSeconds,
    bool? SendInitialEvents)
{
    public static ListOptions From(IQueryCollection query)
    {
        var limit = 0;
        if (query.TryGetValue("limit", out var l) && !string.IsNullOrEmpty(l))
        {
            if (!int.TryParse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
            {
                if (!long.TryParse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big))
                {
                    throw ApiException.BadRequest($"invalid limit: \"{l}\"");
                }

                limit = big > 0 ? int.MaxValue : 0;
            }

            limit = Math.Max(limit, 0);
        }

        int? timeout = null;
        if (query.TryGetValue("timeoutSeconds", out var t) && !string.IsNullOrEmpty(t))
        {
            if (!int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
            {
                throw ApiException.BadRequest($"invalid timeoutSeconds: \"{t}\"");
            }

            timeout = seconds;
        }

        return new ListOptions(
            Text(query, "labelSelector"),
            Text(query, "fieldSelector"),
            limit,
            Text(query, "continue"),
            Text(query, "resourceVersion"),
            Text(query, "resourceVersionMatch"),
            Flag(query, "watch") ?? false,
            Flag(query, "allowWatchBookmarks") ?? false,
            timeout,
            Flag(query, "sendInitialEvents"));
    }

    private static string? Text(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v.ToString() : null;

    /// <summary>Go's strconv.ParseBool, as kube-apiserver's query decoding uses it.</summary>
    public static bool? Flag(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var v))
        {
            return null;
        }

        return v.ToString() switch
        {
            "" or "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
            var other => throw ApiException.BadRequest($"invalid {name}: strconv.ParseBool: parsing \"{other}\": invalid syntax"),
        };
    }
}
