using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>Deployments, after pkg/registry/apps/deployment/strategy.go and apps/v1 SetDefaults_Deployment.</summary>
internal sealed class DeploymentStrategy : ResourceStrategy<V1Deployment>
{
    private static readonly string[] StrategyTypes = ["Recreate", "RollingUpdate"];

    public override bool TracksGeneration => true;

    protected override void PrepareForCreate(V1Deployment obj) => obj.Status = new V1DeploymentStatus();

    protected override void PrepareForUpdate(V1Deployment obj, V1Deployment old) => obj.Status = old.Status;

    protected override void Default(V1Deployment obj)
    {
        var spec = obj.Spec ??= new V1DeploymentSpec();
        spec.Replicas ??= 1;
        spec.Strategy ??= new V1DeploymentStrategy();
        if (string.IsNullOrEmpty(spec.Strategy.Type))
        {
            spec.Strategy.Type = "RollingUpdate";
        }

        if (spec.Strategy.Type == "RollingUpdate")
        {
            spec.Strategy.RollingUpdate ??= new V1RollingUpdateDeployment();
            spec.Strategy.RollingUpdate.MaxUnavailable ??= "25%";
            spec.Strategy.RollingUpdate.MaxSurge ??= "25%";
        }

        spec.RevisionHistoryLimit ??= 10;
        spec.ProgressDeadlineSeconds ??= 600;
        if (spec.Template?.Spec is { } podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    protected override void Validate(V1Deployment obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var spec = obj.Spec ?? new V1DeploymentSpec();
        WorkloadValidation.ValidateNonNegative(spec.Replicas, "spec.replicas", errors);
        WorkloadValidation.ValidateReplicatedTemplate(spec.Selector, spec.Template, "deployment", errors);
        WorkloadValidation.ValidateNonNegative(spec.MinReadySeconds, "spec.minReadySeconds", errors);
        WorkloadValidation.ValidateNonNegative(spec.RevisionHistoryLimit, "spec.revisionHistoryLimit", errors);
        if (spec.Strategy?.Type is { } type)
        {
            if (!StrategyTypes.Contains(type))
            {
                errors.Add(FieldError.NotSupported("spec.strategy.type", type, StrategyTypes));
            }
            else if (type == "Recreate" && spec.Strategy.RollingUpdate is not null)
            {
                errors.Add(FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
            }
        }

        if (spec.ProgressDeadlineSeconds is { } deadline && deadline <= (spec.MinReadySeconds ?? 0))
        {
            errors.Add(FieldError.Invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"));
        }
    }

    protected override void ValidateUpdate(V1Deployment obj, V1Deployment old, List<FieldError> errors)
    {
        Validate(obj, errors);
        WorkloadValidation.ValidateSelectorUnchanged(obj.Spec?.Selector, old.Spec?.Selector, errors);
    }
}
