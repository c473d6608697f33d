using System.Globalization;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>The query of a <c>pods/log</c> request (Kubernetes' PodLogOptions).</summary>
internal sealed record LogRequestOptions(
    string? Container,
    bool Follow,
    bool Previous,
    bool Timestamps,
    long? SinceSeconds,
    DateTimeOffset? SinceTime,
    long? TailLines,
    long? LimitBytes)
{
    /// <summary>
    /// Parses and validates the query: unparsable values are 400 as the parameter codec reports them, out-of-range ones
    /// 422 <c>PodLogOptions</c> Invalid with kube-apiserver's field errors.
    /// </summary>
    public static LogRequestOptions Parse(IQueryCollection query, string podName)
    {
        ArgumentNullException.ThrowIfNull(query);
        var options = new LogRequestOptions(
            QueryValues.String(query, "container"),
            QueryValues.Flag(query, "follow"),
            QueryValues.Flag(query, "previous"),
            QueryValues.Flag(query, "timestamps"),
            QueryValues.Int64(query, "sinceSeconds"),
            ParseTime(QueryValues.String(query, "sinceTime")),
            QueryValues.Int64(query, "tailLines"),
            QueryValues.Int64(query, "limitBytes"));
        var errors = options.Validate();
        return errors.Count == 0 ? options : throw ApiException.Invalid("", "PodLogOptions", podName, errors);
    }

    /// <summary>The kubelet's query for these options, as kube-apiserver's LogLocation builds it.</summary>
    public string ToKubeletQuery()
    {
        var parameters = new List<KeyValuePair<string, string>>();
        if (Follow)
        {
            parameters.Add(new("follow", "true"));
        }

        if (Previous)
        {
            parameters.Add(new("previous", "true"));
        }

        if (Timestamps)
        {
            parameters.Add(new("timestamps", "true"));
        }

        if (SinceSeconds is { } since)
        {
            parameters.Add(new("sinceSeconds", since.ToString(CultureInfo.InvariantCulture)));
        }

        if (SinceTime is { } time)
        {
            parameters.Add(new("sinceTime", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        }

        if (TailLines is { } tail)
        {
            parameters.Add(new("tailLines", tail.ToString(CultureInfo.InvariantCulture)));
        }

        if (LimitBytes is { } limit)
        {
            parameters.Add(new("limitBytes", limit.ToString(CultureInfo.InvariantCulture)));
        }

        return QueryValues.Encode(parameters);
    }

    private List<FieldError> Validate()
    {
        var errors = new List<FieldError>();
        if (TailLines < 0)
        {
            errors.Add(FieldError.Invalid("tailLines", TailLines, "must be greater than or equal to 0"));
        }

        if (LimitBytes < 1)
        {
            errors.Add(FieldError.Invalid("limitBytes", LimitBytes, "must be greater than 0"));
        }

        if (SinceSeconds is not null && SinceTime is not null)
        {
            errors.Add(FieldError.Forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
        }
        else if (SinceSeconds < 1)
        {
            errors.Add(FieldError.Invalid("sinceSeconds", SinceSeconds, "must be greater than 0"));
        }

        return errors;
    }

    /// <summary>RFC 3339, as metav1.Time reads a query value: with a T, seconds, optional fractions and a zone.</summary>
    private static readonly string[] Rfc3339 = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    private static DateTimeOffset? ParseTime(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(text, Rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw ApiException.BadRequest($"parsing time \"{text}\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"{text}\" as \"2006\"");
    }
}
