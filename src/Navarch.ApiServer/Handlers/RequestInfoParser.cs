using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// Parses <c>/api/v1/...</c> and <c>/apis/{group}/{version}/...</c> paths into a <see cref="RequestInfo"/>.
/// </summary>
public static class RequestInfoParser
{
    /// <exception cref="ApiException">404 when the path names no served resource.</exception>
    public static RequestInfo Parse(ResourceRegistry registry, string group, string version, ReadOnlySpan<char> rest)
    {
        if (ProxyPathStart(rest) is int proxyPath)
        {
            var info = ParseResource(registry, group, version, rest[..proxyPath]);
            // A namespaced resource's proxy exists only under its namespace, as in kube-apiserver (pods/{name}/proxy is 404).
            return info.Subresource == ProxySubresource && info.Definition.Namespaced == (info.Namespace is not null)
                ? info with { ProxyPath = rest[proxyPath..].ToString() }
                : throw ApiException.NotFoundPath();
        }

        return ParseResource(registry, group, version, rest);
    }

    private const string ProxySubresource = "proxy";

    /// <summary>
    /// Finds <c>{resource}/{name}/proxy</c> or <c>namespaces/{ns}/{resource}/{name}/proxy</c> followed by any path: the
    /// proxy subresource takes the rest of the path, so the usual segment limit does not apply to it. Returns where the
    /// proxied path starts (just after <c>proxy</c>).
    /// </summary>
    private static int? ProxyPathStart(ReadOnlySpan<char> rest)
    {
        var start = 0;
        while (start < rest.Length && rest[start] == '/')
        {
            start++;
        }

        var segments = rest[start..];
        Span<Range> ranges = stackalloc Range[6];
        var count = segments.Split(ranges, '/');
        foreach (var at in (ReadOnlySpan<int>)[2, 4])
        {
            if (count > at && segments[ranges[at]].SequenceEqual(ProxySubresource) && (at == 2 || segments[ranges[0]].SequenceEqual("namespaces")))
            {
                return start + ranges[at].End.Value;
            }
        }

        return null;
    }

    private static RequestInfo ParseResource(ResourceRegistry registry, string group, string version, ReadOnlySpan<char> rest)
    {
        Span<Range> ranges = stackalloc Range[8];
        var count = rest.Trim('/').Split(ranges, '/');
        if (count is 0 or > 6)
        {
            throw ApiException.NotFoundPath();
        }

        var parts = new string[count];
        var trimmed = rest.Trim('/');
        for (var i = 0; i < count; i++)
        {
            parts[i] = Uri.UnescapeDataString(trimmed[ranges[i]].ToString());
            if (parts[i].Length == 0)
            {
                throw ApiException.NotFoundPath();
            }
        }

        string? ns = null;
        var index = 0;
        // "namespaces/{ns}/{resource}..." addresses namespaced resources, unless the third segment is one of the
        // namespace's own subresources (namespaces/{name}/status).
        if (group.Length == 0 && parts[0] == "namespaces" && count >= 3)
        {
            var namespaces = registry.Find("", "v1", "namespaces");
            if (!(count == 3 && namespaces is not null && namespaces.HasSubresource(parts[2])))
            {
                ns = parts[1];
                index = 2;
            }
        }
        else if (group.Length > 0 && parts[0] == "namespaces" && count >= 3)
        {
            ns = parts[1];
            index = 2;
        }

        var definition = registry.Find(group, version, parts[index]) ?? throw ApiException.NotFoundPath();
        if (ns is not null && !definition.Namespaced)
        {
            throw ApiException.NotFoundPath();
        }

        var name = count > index + 1 ? parts[index + 1] : null;
        var sub = count > index + 2 ? parts[index + 2] : null;
        if (count > index + 3 || (sub is not null && !definition.HasSubresource(sub)))
        {
            throw ApiException.NotFoundPath();
        }

        return new RequestInfo(definition, ns, name, sub);
    }
}
