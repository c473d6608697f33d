using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>DaemonSets, after pkg/registry/apps/daemonset/strategy.go and apps/v1 SetDefaults_DaemonSet.</summary>
internal sealed class DaemonSetStrategy : ResourceStrategy<V1DaemonSet>
{
    private static readonly string[] UpdateStrategyTypes = ["OnDelete", "RollingUpdate"];

    public override bool TracksGeneration => true;

    protected override void PrepareForCreate(V1DaemonSet obj) => obj.Status = new V1DaemonSetStatus();

    protected override void PrepareForUpdate(V1DaemonSet obj, V1DaemonSet old) => obj.Status = old.Status;

    protected override void Default(V1DaemonSet obj)
    {
        var spec = obj.Spec ??= new V1DaemonSetSpec();
        spec.UpdateStrategy ??= new V1DaemonSetUpdateStrategy();
        if (string.IsNullOrEmpty(spec.UpdateStrategy.Type))
        {
            spec.UpdateStrategy.Type = "RollingUpdate";
        }

        if (spec.UpdateStrategy.Type == "RollingUpdate")
        {
            spec.UpdateStrategy.RollingUpdate ??= new V1RollingUpdateDaemonSet();
            spec.UpdateStrategy.RollingUpdate.MaxUnavailable ??= 1;
            spec.UpdateStrategy.RollingUpdate.MaxSurge ??= 0;
        }

        spec.RevisionHistoryLimit ??= 10;
        if (spec.Template?.Spec is { } podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    protected override void Validate(V1DaemonSet obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var spec = obj.Spec ?? new V1DaemonSetSpec();
        WorkloadValidation.ValidateReplicatedTemplate(spec.Selector, spec.Template, "daemonset", errors);
        WorkloadValidation.ValidateNonNegative(spec.MinReadySeconds, "spec.minReadySeconds", errors);
        WorkloadValidation.ValidateNonNegative(spec.RevisionHistoryLimit, "spec.revisionHistoryLimit", errors);
        if (spec.UpdateStrategy?.Type is { } type && !UpdateStrategyTypes.Contains(type))
        {
            errors.Add(FieldError.NotSupported("spec.updateStrategy.type", type, UpdateStrategyTypes));
        }
    }

    protected override void ValidateUpdate(V1DaemonSet obj, V1DaemonSet old, List<FieldError> errors)
    {
        Validate(obj, errors);
        WorkloadValidation.ValidateSelectorUnchanged(obj.Spec?.Selector, old.Spec?.Selector, errors);
    }
}
