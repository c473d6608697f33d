using k8s;
using k8s.Models;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Admission;

/// <summary>
/// What an admission plugin sees of one write, after kube-apiserver's <c>admission.Attributes</c>: the operation,
/// the resource, the request's namespace and the object's name (empty for a create by generateName before the name is
/// made), the object being written and, on update, the stored one.
/// </summary>
public sealed record AdmissionRequest(
    AdmissionOperation Operation,
    ResourceDefinition Resource,
    string? Subresource,
    string? Namespace,
    string Name,
    IKubernetesObject<V1ObjectMeta> Object,
    IKubernetesObject<V1ObjectMeta>? OldObject,
    bool DryRun)
{
    /// <summary>Whether this is a write of <paramref name="group"/>/<paramref name="resource"/> itself, not a subresource.</summary>
    public bool IsMain(string group, string resource) =>
        Subresource is null && Resource.Group == group && Resource.Resource == resource;

    /// <summary>A 403 worded as kube-apiserver's <c>admission.NewForbidden</c>: <c>pods "x" is forbidden: detail</c>.</summary>
    public ApiException Forbidden(string detail) => ApiException.Forbidden(Resource.Group, Resource.Resource, Name, detail);
}
