using k8s;
using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>
/// The <c>pods/ephemeralcontainers</c> subresource, after kube-apiserver's podEphemeralContainersStrategy: an update
/// takes only <c>spec.ephemeralContainers</c> from the request and keeps everything else (metadata, the rest of the
/// spec, status) as stored; existing ephemeral containers may not change.
/// </summary>
internal sealed class PodEphemeralContainersStrategy : ResourceStrategy<V1Pod>
{
    /// <summary>As dropNonEphemeralContainerUpdates: the stored pod with the request's ephemeral containers.</summary>
    protected override void PrepareForUpdate(V1Pod obj, V1Pod old)
    {
        var ephemeral = obj.Spec?.EphemeralContainers;
        var stored = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(old));
        obj.Metadata = stored.Metadata;
        obj.Spec = stored.Spec ?? new V1PodSpec();
        obj.Spec.EphemeralContainers = ephemeral is { Count: > 0 } ? ephemeral : null;
        obj.Status = stored.Status;
    }

    protected override void Default(V1Pod obj)
    {
        obj.Spec ??= new V1PodSpec();
        PodSpecDefaults.Apply(obj.Spec);
    }

    protected override void ValidateUpdate(V1Pod obj, V1Pod old, List<FieldError> errors) =>
        EphemeralContainerValidation.ValidateUpdate(obj, old, errors);
}
