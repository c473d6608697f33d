using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>StatefulSets, after pkg/registry/apps/statefulset/strategy.go and apps/v1 SetDefaults_StatefulSet.</summary>
internal sealed class StatefulSetStrategy : ResourceStrategy<V1StatefulSet>
{
    public const string ForbiddenUpdateMessage =
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', " +
        "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

    private static readonly string[] PodManagementPolicies = ["OrderedReady", "Parallel"];
    private static readonly string[] UpdateStrategyTypes = ["OnDelete", "RollingUpdate"];
    private static readonly string[] RetentionPolicies = ["Delete", "Retain"];

    public override bool TracksGeneration => true;

    protected override void PrepareForCreate(V1StatefulSet obj) => obj.Status = new V1StatefulSetStatus { Replicas = 0 };

    protected override void PrepareForUpdate(V1StatefulSet obj, V1StatefulSet old) => obj.Status = old.Status;

    protected override void Default(V1StatefulSet obj)
    {
        var spec = obj.Spec ??= new V1StatefulSetSpec();
        if (string.IsNullOrEmpty(spec.PodManagementPolicy))
        {
            spec.PodManagementPolicy = "OrderedReady";
        }

        spec.UpdateStrategy ??= new V1StatefulSetUpdateStrategy();
        if (string.IsNullOrEmpty(spec.UpdateStrategy.Type))
        {
            spec.UpdateStrategy.Type = "RollingUpdate";
            spec.UpdateStrategy.RollingUpdate ??= new V1RollingUpdateStatefulSetStrategy();
        }

        if (spec.UpdateStrategy is { Type: "RollingUpdate", RollingUpdate: { } rolling })
        {
            rolling.Partition ??= 0;
        }

        spec.PersistentVolumeClaimRetentionPolicy ??= new V1StatefulSetPersistentVolumeClaimRetentionPolicy();
        if (string.IsNullOrEmpty(spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted))
        {
            spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = "Retain";
        }

        if (string.IsNullOrEmpty(spec.PersistentVolumeClaimRetentionPolicy.WhenScaled))
        {
            spec.PersistentVolumeClaimRetentionPolicy.WhenScaled = "Retain";
        }

        spec.Replicas ??= 1;
        spec.RevisionHistoryLimit ??= 10;
        if (spec.Template?.Spec is { } podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    protected override void Validate(V1StatefulSet obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var spec = obj.Spec ?? new V1StatefulSetSpec();
        WorkloadValidation.ValidateNonNegative(spec.Replicas, "spec.replicas", errors);
        WorkloadValidation.ValidateNonNegative(spec.MinReadySeconds, "spec.minReadySeconds", errors);
        WorkloadValidation.ValidateReplicatedTemplate(spec.Selector, spec.Template, "statefulset", errors);
        if (spec.PodManagementPolicy is { } policy && !PodManagementPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported("spec.podManagementPolicy", policy, PodManagementPolicies));
        }

        if (spec.UpdateStrategy?.Type is { } type && !UpdateStrategyTypes.Contains(type))
        {
            errors.Add(FieldError.NotSupported("spec.updateStrategy.type", type, UpdateStrategyTypes));
        }

        if (spec.UpdateStrategy?.RollingUpdate?.Partition is { } partition)
        {
            WorkloadValidation.ValidateNonNegative(partition, "spec.updateStrategy.rollingUpdate.partition", errors);
        }

        if (spec.PersistentVolumeClaimRetentionPolicy is { } retention)
        {
            if (retention.WhenDeleted is { } whenDeleted && !RetentionPolicies.Contains(whenDeleted))
            {
                errors.Add(FieldError.NotSupported("spec.persistentVolumeClaimRetentionPolicy.whenDeleted", whenDeleted, RetentionPolicies));
            }

            if (retention.WhenScaled is { } whenScaled && !RetentionPolicies.Contains(whenScaled))
            {
                errors.Add(FieldError.NotSupported("spec.persistentVolumeClaimRetentionPolicy.whenScaled", whenScaled, RetentionPolicies));
            }
        }
    }

    /// <summary>As ValidateStatefulSetUpdate: only the listed spec fields may change.</summary>
    protected override void ValidateUpdate(V1StatefulSet obj, V1StatefulSet old, List<FieldError> errors)
    {
        Validate(obj, errors);
        var spec = obj.Spec ?? new V1StatefulSetSpec();
        var munged = k8s.KubernetesJson.Deserialize<V1StatefulSetSpec>(k8s.KubernetesJson.Serialize(old.Spec ?? new V1StatefulSetSpec()));
        munged.Replicas = spec.Replicas;
        munged.Ordinals = spec.Ordinals;
        munged.Template = spec.Template;
        munged.UpdateStrategy = spec.UpdateStrategy;
        munged.RevisionHistoryLimit = spec.RevisionHistoryLimit;
        munged.PersistentVolumeClaimRetentionPolicy = spec.PersistentVolumeClaimRetentionPolicy;
        munged.MinReadySeconds = spec.MinReadySeconds;
        if (!SemanticEquality.AreEqual(munged, spec))
        {
            errors.Add(FieldError.Forbidden("spec", ForbiddenUpdateMessage));
        }
    }
}
