using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>ReplicaSets, after pkg/registry/apps/replicaset/strategy.go and apps/v1 SetDefaults_ReplicaSet.</summary>
internal sealed class ReplicaSetStrategy : ResourceStrategy<V1ReplicaSet>
{
    public override bool TracksGeneration => true;

    protected override void PrepareForCreate(V1ReplicaSet obj) => obj.Status = new V1ReplicaSetStatus { Replicas = 0 };

    protected override void PrepareForUpdate(V1ReplicaSet obj, V1ReplicaSet old) => obj.Status = old.Status;

    protected override void Default(V1ReplicaSet obj)
    {
        var spec = obj.Spec ??= new V1ReplicaSetSpec();
        spec.Replicas ??= 1;
        if (spec.Template?.Spec is { } podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    protected override void Validate(V1ReplicaSet obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var spec = obj.Spec ?? new V1ReplicaSetSpec();
        WorkloadValidation.ValidateNonNegative(spec.Replicas, "spec.replicas", errors);
        WorkloadValidation.ValidateNonNegative(spec.MinReadySeconds, "spec.minReadySeconds", errors);

        // Kubernetes' ValidateReplicaSetSpec reuses the deployment wording for an empty selector.
        WorkloadValidation.ValidateReplicatedTemplate(spec.Selector, spec.Template, "deployment", errors);
    }

    protected override void ValidateUpdate(V1ReplicaSet obj, V1ReplicaSet old, List<FieldError> errors)
    {
        Validate(obj, errors);
        WorkloadValidation.ValidateSelectorUnchanged(obj.Spec?.Selector, old.Spec?.Selector, errors);
    }
}
