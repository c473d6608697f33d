using System.Globalization;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>The query of a <c>pods/exec</c>, <c>pods/attach</c> or <c>pods/portforward</c> request.</summary>
internal sealed record StreamRequestOptions(
    string? Container,
    IReadOnlyList<string> Command,
    bool Stdin,
    bool Stdout,
    bool Stderr,
    bool Tty,
    IReadOnlyList<int> Ports)
{
    public static StreamRequestOptions Parse(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var ports = new List<int>();
        foreach (var text in query["ports"])
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            ports.Add(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                ? port
                : throw ApiException.BadRequest($"strconv.ParseInt: parsing \"{text}\": invalid syntax"));
        }

        return new StreamRequestOptions(
            QueryValues.String(query, "container"),
            [.. query["command"].Select(c => c ?? "")],
            QueryValues.Flag(query, "stdin"),
            QueryValues.Flag(query, "stdout"),
            QueryValues.Flag(query, "stderr"),
            QueryValues.Flag(query, "tty"),
            ports);
    }

    /// <summary>
    /// The kubelet's query for exec and attach, as kube-apiserver's streamParams writes it: <c>input</c>,
    /// <c>output</c>, <c>error</c>, <c>tty</c> as "1" and one <c>command</c> per argument.
    /// </summary>
    public string ToKubeletStreamQuery(bool includeCommand)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        if (Stdin)
        {
            parameters.Add(new("input", "1"));
        }

        if (Stdout)
        {
            parameters.Add(new("output", "1"));
        }

        if (Stderr)
        {
            parameters.Add(new("error", "1"));
        }

        if (Tty)
        {
            parameters.Add(new("tty", "1"));
        }

        if (includeCommand)
        {
            parameters.AddRange(Command.Select(c => new KeyValuePair<string, string>("command", c)));
        }

        return QueryValues.Encode(parameters);
    }

    /// <summary>The kubelet's query for port-forward: one <c>port</c> per requested port.</summary>
    public string ToKubeletPortForwardQuery() =>
        QueryValues.Encode(Ports.Select(p => new KeyValuePair<string, string>("port", p.ToString(CultureInfo.InvariantCulture))));
}
