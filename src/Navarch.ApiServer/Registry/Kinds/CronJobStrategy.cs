using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>CronJobs, after pkg/registry/batch/cronjob/strategy.go and batch/v1 SetDefaults_CronJob.</summary>
internal sealed class CronJobStrategy : ResourceStrategy<V1CronJob>
{
    /// <summary>Jobs get an 11-character suffix and job names end up in a 63-character label, hence 52.</summary>
    public const int MaxNameLength = 52;

    private static readonly string[] ConcurrencyPolicies = ["Allow", "Forbid", "Replace"];

    public override bool TracksGeneration => true;

    protected override void PrepareForCreate(V1CronJob obj) => obj.Status = new V1CronJobStatus();

    protected override void PrepareForUpdate(V1CronJob obj, V1CronJob old) => obj.Status = old.Status;

    protected override void Default(V1CronJob obj)
    {
        var spec = obj.Spec ??= new V1CronJobSpec();
        if (string.IsNullOrEmpty(spec.ConcurrencyPolicy))
        {
            spec.ConcurrencyPolicy = "Allow";
        }

        spec.Suspend ??= false;
        spec.SuccessfulJobsHistoryLimit ??= 3;
        spec.FailedJobsHistoryLimit ??= 1;
        if (spec.JobTemplate?.Spec?.Template?.Spec is { } podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    protected override void Validate(V1CronJob obj, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors, MaxNameLength);
        var spec = obj.Spec ?? new V1CronJobSpec();
        if (string.IsNullOrEmpty(spec.Schedule))
        {
            errors.Add(FieldError.Required("spec.schedule"));
        }
        else if (spec.Schedule.Contains("TZ", StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid("spec.schedule", spec.Schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
        }
        else if (CronSchedule.Validate(spec.Schedule) is { } problem)
        {
            errors.Add(FieldError.Invalid("spec.schedule", spec.Schedule, problem));
        }

        if (spec.ConcurrencyPolicy is { } policy && !ConcurrencyPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported("spec.concurrencyPolicy", policy, ConcurrencyPolicies));
        }

        WorkloadValidation.ValidateNonNegative(spec.StartingDeadlineSeconds, "spec.startingDeadlineSeconds", errors);
        WorkloadValidation.ValidateNonNegative(spec.SuccessfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit", errors);
        WorkloadValidation.ValidateNonNegative(spec.FailedJobsHistoryLimit, "spec.failedJobsHistoryLimit", errors);

        var jobSpec = spec.JobTemplate?.Spec;
        if (jobSpec is null)
        {
            errors.Add(FieldError.Required("spec.jobTemplate.spec"));
            return;
        }

        ObjectMetaValidation.ValidateLabels(spec.JobTemplate!.Metadata?.Labels, "spec.jobTemplate.metadata.labels", errors); // jobSpec came from it
        if (jobSpec.Selector is { } selector)
        {
            LabelSelectors.Validate(selector, "spec.jobTemplate.spec.selector", errors);
        }

        JobStrategy.ValidateJobTemplate(jobSpec.Template, errors, "spec.jobTemplate.spec.template");
    }
}
