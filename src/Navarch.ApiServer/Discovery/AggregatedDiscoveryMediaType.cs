using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Navarch.ApiServer.Discovery;

/// <summary>
/// Content negotiation for aggregated discovery: a client asks for it with
/// <c>application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList</c> (or <c>v=v2beta1</c>) in Accept, and
/// falls back to the legacy documents when the server answers with plain <c>application/json</c>.
/// </summary>
internal static class AggregatedDiscoveryMediaType
{
    public const string Group = "apidiscovery.k8s.io";

    public const string ListKind = "APIGroupDiscoveryList";

    /// <summary>Served apidiscovery versions, preferred first.</summary>
    public static readonly IReadOnlyList<string> Versions = ["v2", "v2beta1"];

    /// <summary>The Content-Type of an aggregated document, echoing the parameters the client asked for.</summary>
    public static string ContentType(string version) => $"application/json;g={Group};v={version};as={ListKind}";

    /// <summary>
    /// The apidiscovery version to answer with, or null for the legacy document. Media ranges are weighed by their
    /// <c>q</c> value, ties keeping the client's order, as kube-apiserver's negotiation does.
    /// </summary>
    public static string? Negotiate(StringValues accept)
    {
        if (!MediaTypeHeaderValue.TryParseList(accept, out var ranges))
        {
            return null;
        }

        var best = (Quality: 0.0, Version: (string?)null);
        var legacyQuality = 0.0;
        foreach (var range in ranges)
        {
            var quality = range.Quality ?? 1.0;
            if (IsJson(range) && range.Parameters.Count == 0 || range.MediaType.Equals("*/*", StringComparison.Ordinal) ||
                range.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase))
            {
                legacyQuality = Math.Max(legacyQuality, quality);
                continue;
            }

            if (!IsJson(range))
            {
                continue;
            }

            var g = Parameter(range, "g");
            var v = Parameter(range, "v");
            var @as = Parameter(range, "as");
            if (g == Group && @as == ListKind && v is not null && Versions.Contains(v, StringComparer.Ordinal) && quality > best.Quality)
            {
                best = (quality, v);
            }
        }

        return best.Version is not null && best.Quality >= legacyQuality ? best.Version : null;
    }

    private static bool IsJson(MediaTypeHeaderValue range) =>
        range.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static string? Parameter(MediaTypeHeaderValue range, string name)
    {
        foreach (var parameter in range.Parameters)
        {
            if (parameter.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return parameter.Value.ToString();
            }
        }

        return null;
    }
}
