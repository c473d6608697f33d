using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>What a resource request addresses, parsed from its path as kube-apiserver's RequestInfoFactory does.</summary>
public sealed record RequestInfo(ResourceDefinition Definition, string? Namespace, string? Name, string? Subresource)
{
    public bool IsCollection => Name is null;

    /// <summary>
    /// For the <c>proxy</c> subresource, the path after <c>.../proxy</c> as the client sent it (empty, or starting with a
    /// slash, trailing slash kept), forwarded to the backend as kube-apiserver's proxy handlers do.
    /// </summary>
    public string? ProxyPath { get; init; }
}
