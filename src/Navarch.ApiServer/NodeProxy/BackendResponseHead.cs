namespace Navarch.ApiServer.NodeProxy;

/// <summary>The status line and headers of an HTTP/1.1 response read from a kubelet connection.</summary>
internal sealed record BackendResponseHead(int StatusCode, string ReasonPhrase, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
