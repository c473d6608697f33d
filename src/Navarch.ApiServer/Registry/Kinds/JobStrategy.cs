using k8s.Models;
using Navarch.ApiServer.Registry.Validation;

namespace Navarch.ApiServer.Registry.Kinds;

/// <summary>Jobs, after pkg/registry/batch/job/strategy.go and batch/v1 SetDefaults_Job.</summary>
internal sealed class JobStrategy : ResourceStrategy<V1Job>
{
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string LegacyControllerUidLabel = "controller-uid";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string LegacyJobNameLabel = "job-name";

    private static readonly string[] JobRestartPolicies = ["OnFailure", "Never"];
    private static readonly string[] CompletionModes = ["Indexed", "NonIndexed"];

    public override bool TracksGeneration => true;

    protected override void PrepareForCreate(V1Job obj) => obj.Status = new V1JobStatus();

    protected override void PrepareForUpdate(V1Job obj, V1Job old) => obj.Status = old.Status;

    protected override void Default(V1Job obj)
    {
        var spec = obj.Spec ??= new V1JobSpec();
        if (spec.Completions is null && spec.Parallelism is null)
        {
            spec.Completions = 1;
            spec.Parallelism = 1;
        }

        spec.Parallelism ??= 1;
        spec.BackoffLimit ??= spec.BackoffLimitPerIndex is null ? 6 : int.MaxValue;
        if (string.IsNullOrEmpty(spec.CompletionMode))
        {
            spec.CompletionMode = "NonIndexed";
        }

        spec.Suspend ??= false;
        if (string.IsNullOrEmpty(spec.PodReplacementPolicy))
        {
            spec.PodReplacementPolicy = spec.PodFailurePolicy is null ? "TerminatingOrFailed" : "Failed";
        }

        // As SetDefaults_Job, a job without labels takes its template's; Go shares the map, so the labels the
        // selector generation adds below show up on the Job as well.
        obj.Metadata ??= new V1ObjectMeta();
        if (obj.Metadata.Labels is not { Count: > 0 } && spec.Template?.Metadata?.Labels is { } templateLabels)
        {
            obj.Metadata.Labels = templateLabels;
        }

        if (spec.Template?.Spec is { } podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    /// <summary>
    /// Generates the selector first when the job has no manual one: this needs the uid, which the handler assigns
    /// after PrepareForCreate, so, like Kubernetes' job strategy, it happens at validation.
    /// </summary>
    protected override void Validate(V1Job obj, List<FieldError> errors)
    {
        if (obj.Spec?.ManualSelector != true)
        {
            GenerateSelector(obj);
        }

        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        ValidateSpec(obj.Spec ?? new V1JobSpec(), errors);
    }

    /// <summary>The selector, completions and (but for suspended jobs' scheduling fields) the template are fixed.</summary>
    protected override void ValidateUpdate(V1Job obj, V1Job old, List<FieldError> errors)
    {
        ObjectMetaValidation.Validate(obj.Metadata, NameKind.Dns1123Subdomain, errors);
        var spec = obj.Spec ?? new V1JobSpec();
        var oldSpec = old.Spec ?? new V1JobSpec();
        ValidateSpec(spec, errors);
        WorkloadValidation.ValidateSelectorUnchanged(spec.Selector, oldSpec.Selector, errors);
        ObjectMetaValidation.ValidateImmutable(spec.Completions, oldSpec.Completions, "spec.completions", errors);
        ObjectMetaValidation.ValidateImmutable(spec.CompletionMode, oldSpec.CompletionMode, "spec.completionMode", errors);
        if (!SemanticEquality.AreEqual(spec.Template, oldSpec.Template))
        {
            errors.Add(FieldError.Invalid("spec.template", GoLiteral.Map(spec.Template?.Metadata?.Labels), "field is immutable"));
        }
    }

    private static void ValidateSpec(V1JobSpec spec, List<FieldError> errors)
    {
        WorkloadValidation.ValidateNonNegative(spec.Parallelism, "spec.parallelism", errors);
        WorkloadValidation.ValidateNonNegative(spec.Completions, "spec.completions", errors);
        WorkloadValidation.ValidateNonNegative(spec.BackoffLimit, "spec.backoffLimit", errors);
        WorkloadValidation.ValidateNonNegative(spec.TtlSecondsAfterFinished, "spec.ttlSecondsAfterFinished", errors);
        if (spec.ActiveDeadlineSeconds is <= 0)
        {
            errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", spec.ActiveDeadlineSeconds.Value, "must be greater than 0"));
        }

        var mode = spec.CompletionMode;
        if (mode is not null && !CompletionModes.Contains(mode))
        {
            errors.Add(FieldError.NotSupported("spec.completionMode", mode, CompletionModes));
        }
        else if (mode == "Indexed" && spec.Completions is null)
        {
            errors.Add(FieldError.Required("spec.completions", "when completion mode is Indexed"));
        }

        if (spec.Selector is null)
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        else
        {
            LabelSelectors.Validate(spec.Selector, "spec.selector", errors);
            WorkloadValidation.ValidateTemplateLabels(spec.Selector, spec.Template, errors);
        }

        ValidateJobTemplate(spec.Template, errors);
    }

    /// <summary>The pod template of a job (or a cronjob's job template) must restart OnFailure or Never.</summary>
    public static void ValidateJobTemplate(V1PodTemplateSpec? template, List<FieldError> errors, string path = "spec.template")
    {
        PodSpecValidation.ValidateTemplate(template, path, errors);
        if (template?.Spec is { } podSpec && !JobRestartPolicies.Contains(podSpec.RestartPolicy ?? ""))
        {
            errors.Add(FieldError.NotSupported(path + ".spec.restartPolicy", podSpec.RestartPolicy ?? "", JobRestartPolicies));
        }
    }

    // As generateSelector in Kubernetes' job strategy: name and uid labels on the template (both the current and the
    // legacy keys), and a selector on the uid label; a user's conflicting value is left for validation to refuse.
    private static void GenerateSelector(V1Job obj)
    {
        var spec = obj.Spec ??= new V1JobSpec();
        var name = obj.Metadata?.Name ?? "";
        var uid = obj.Metadata?.Uid ?? "";
        spec.Template ??= new V1PodTemplateSpec();
        spec.Template.Metadata ??= new V1ObjectMeta();
        var labels = spec.Template.Metadata.Labels ??= new Dictionary<string, string>();
        labels.TryAdd(LegacyJobNameLabel, name);
        labels.TryAdd(JobNameLabel, name);
        labels.TryAdd(LegacyControllerUidLabel, uid);
        labels.TryAdd(ControllerUidLabel, uid);
        spec.Selector ??= new V1LabelSelector();
        spec.Selector.MatchLabels ??= new Dictionary<string, string>();
        spec.Selector.MatchLabels.TryAdd(ControllerUidLabel, uid);
    }
}
