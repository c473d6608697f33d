using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Navarch.Kubelet.Server;

/// <summary>The query of <c>GET /containerLogs/{ns}/{pod}/{container}</c>, as the kubelet reads PodLogOptions.</summary>
internal sealed record ContainerLogOptions
{
    public bool Follow { get; init; }

    public bool Previous { get; init; }

    public bool Timestamps { get; init; }

    public long? TailLines { get; init; }

    public long? LimitBytes { get; init; }

    /// <summary>Only lines logged at or after this time (from <c>sinceTime</c> or <c>sinceSeconds</c>).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Parses and validates the query; the error carries PodLogOptions validation's wording.</summary>
    public static (ContainerLogOptions? Options, string? Error) Parse(IQueryCollection query, DateTimeOffset now)
    {
        if (!Bool(query, "follow", out var follow) || !Bool(query, "previous", out var previous) || !Bool(query, "timestamps", out var timestamps))
        {
            return (null, "follow, previous and timestamps must be true or false");
        }

        if (!Long(query, "tailLines", out var tail) || !Long(query, "limitBytes", out var limit) || !Long(query, "sinceSeconds", out var sinceSeconds))
        {
            return (null, "tailLines, limitBytes and sinceSeconds must be integers");
        }

        if (tail < 0) return (null, $"tailLines: Invalid value: {tail}: must be greater than or equal to 0");
        if (limit < 1) return (null, $"limitBytes: Invalid value: {limit}: must be greater than 0");
        if (sinceSeconds < 1) return (null, $"sinceSeconds: Invalid value: {sinceSeconds}: must be greater than 0");

        DateTimeOffset? since = null;
        if (query.TryGetValue("sinceTime", out var sinceTime) && !string.IsNullOrEmpty(sinceTime))
        {
            if (sinceSeconds is not null) return (null, "at most one of `sinceTime` or `sinceSeconds` may be specified");
            if (!DateTimeOffset.TryParse(sinceTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return (null, $"sinceTime: Invalid value: \"{sinceTime}\": must be an RFC 3339 time");
            }

            since = parsed;
        }
        else if (sinceSeconds is { } seconds)
        {
            since = now - TimeSpan.FromSeconds(seconds);
        }

        return (new ContainerLogOptions
        {
            Follow = follow, Previous = previous, Timestamps = timestamps, TailLines = tail, LimitBytes = limit, Since = since,
        }, null);
    }

    private static bool Bool(IQueryCollection query, string name, out bool value)
    {
        value = false;
        if (!query.TryGetValue(name, out var text) || string.IsNullOrEmpty(text)) return true;
        if (text == "1") return value = true;
        return bool.TryParse(text, out value);
    }

    private static bool Long(IQueryCollection query, string name, out long? value)
    {
        value = null;
        if (!query.TryGetValue(name, out var text) || string.IsNullOrEmpty(text)) return true;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) return false;
        value = parsed;
        return true;
    }
}
