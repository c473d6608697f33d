using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Discovery;

/// <summary>
/// How a subresource appears in discovery and OpenAPI: the kind it takes and returns (which may live in another
/// group, as <c>deployments/scale</c> returns <c>autoscaling/v1 Scale</c>) and the verbs it serves.
/// </summary>
internal sealed record SubresourceInfo(string Name, string Group, string Version, string Kind, IReadOnlyList<string> Verbs)
{
    private static readonly string[] GetPatchUpdate = ["get", "patch", "update"];
    private static readonly string[] CreateOnly = ["create"];
    private static readonly string[] UpdateOnly = ["update"];
    private static readonly string[] GetOnly = ["get"];
    private static readonly string[] CreateGet = ["create", "get"];
    private static readonly string[] ProxyVerbs = ["create", "delete", "get", "patch", "update"];

    /// <summary>The subresources of <paramref name="resource"/>, with the kinds and verbs kube-apiserver lists for them.</summary>
    public static IReadOnlyList<SubresourceInfo> For(ResourceDefinition resource) =>
        resource.Subresources.Select(name => Describe(resource, name)).ToArray();

    private static SubresourceInfo Describe(ResourceDefinition resource, string name) => name switch
    {
        "status" => new(name, resource.Group, resource.Version, resource.Kind, GetPatchUpdate),
        "ephemeralcontainers" => new(name, resource.Group, resource.Version, resource.Kind, GetPatchUpdate),
        "scale" => new(name, "autoscaling", "v1", "Scale", GetPatchUpdate),
        "binding" => new(name, "", "v1", "Binding", CreateOnly),
        "eviction" => new(name, "policy", "v1", "Eviction", CreateOnly),
        "finalize" => new(name, resource.Group, resource.Version, resource.Kind, UpdateOnly),
        "log" => new(name, "", "v1", "Pod", GetOnly),
        // The connect subresources, listed as kube-apiserver lists them (kubectl checks them before exec/attach/port-forward).
        "exec" => new(name, "", "v1", "PodExecOptions", CreateGet),
        "attach" => new(name, "", "v1", "PodAttachOptions", CreateGet),
        "portforward" => new(name, "", "v1", "PodPortForwardOptions", CreateGet),
        // As kube-apiserver lists nodes/proxy (NodeProxyOptions), pods/proxy (PodProxyOptions) and services/proxy.
        "proxy" => new(name, "", "v1", resource.Kind + "ProxyOptions", ProxyVerbs),
        "token" => new(name, "authentication.k8s.io", "v1", "TokenRequest", CreateOnly),
        _ => new(name, resource.Group, resource.Version, resource.Kind, GetPatchUpdate),
    };
}
