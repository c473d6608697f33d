namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// The name part of a proxy URL: <c>name</c>, <c>name:port</c> or <c>scheme:name:port</c>, as kube-apiserver's
/// <c>SplitSchemeNamePort</c> reads it (scheme empty, http or https; name not empty; port may be empty).
/// </summary>
internal sealed record ProxyId(string Scheme, string Name, string Port)
{
    /// <summary>The scheme to reach the backend with: the one asked for, else http.</summary>
    public string SchemeOrHttp => Scheme.Length == 0 ? "http" : Scheme;

    /// <summary>The parsed id, or null when it is not valid.</summary>
    public static ProxyId? Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var parts = id.Split(':');
        var (scheme, name, port) = parts.Length switch
        {
            1 => ("", parts[0], ""),
            2 => ("", parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => ("", "", ""),
        };
        return name.Length > 0 && scheme is "" or "http" or "https" ? new ProxyId(scheme, name, port) : null;
    }
}
