using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>What a resource request addresses, parsed from its path as kube-apiserver's RequestInfoFactory does.</summary>
public sealed record RequestInfo(ResourceDefinition Definition, string? Namespace, string? Name, string? Subresource)
{
    public bool IsCollection => Name is null;
}
