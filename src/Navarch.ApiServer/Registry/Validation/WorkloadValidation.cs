using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// Rules the apps and batch kinds share: a selector that is present, valid, non-empty and matches the template's
/// labels, a valid pod template with a permitted restart policy, and non-negative counts.
/// </summary>
internal static class WorkloadValidation
{
    private static readonly string[] AlwaysOnly = ["Always"];

    /// <summary>
    /// As ValidateDeploymentSpec/ValidateReplicaSetSpec/ValidateDaemonSetSpec/ValidateStatefulSetSpec do:
    /// <paramref name="kindWord"/> names the kind in the empty-selector message (Kubernetes says "deployment" for ReplicaSets too).
    /// </summary>
    public static void ValidateReplicatedTemplate(
        V1LabelSelector? selector, V1PodTemplateSpec? template, string kindWord, List<FieldError> errors)
    {
        ValidateSelectorMatchesTemplate(selector, template, kindWord, errors);
        PodSpecValidation.ValidateTemplate(template, "spec.template", errors);
        if (template?.Spec is { } spec)
        {
            if (spec.RestartPolicy is { } restartPolicy && restartPolicy != "Always")
            {
                errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", restartPolicy, AlwaysOnly));
            }

            if (spec.ActiveDeadlineSeconds is not null)
            {
                errors.Add(FieldError.Forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in ReplicaSet is not Supported"));
            }
        }
    }

    /// <summary>The selector is required and non-empty, and the template's labels must satisfy it.</summary>
    public static void ValidateSelectorMatchesTemplate(
        V1LabelSelector? selector, V1PodTemplateSpec? template, string kindWord, List<FieldError> errors)
    {
        if (selector is null)
        {
            errors.Add(FieldError.Required("spec.selector"));
            return;
        }

        LabelSelectors.Validate(selector, "spec.selector", errors);
        if (LabelSelectors.IsEmpty(selector))
        {
            errors.Add(FieldError.Invalid("spec.selector", GoLiteral.Selector(selector), $"empty selector is invalid for {kindWord}"));
            return;
        }

        ValidateTemplateLabels(selector, template, errors);
    }

    /// <summary>A non-empty selector must select the template's labels.</summary>
    public static void ValidateTemplateLabels(V1LabelSelector selector, V1PodTemplateSpec? template, List<FieldError> errors)
    {
        var labels = template?.Metadata?.Labels;
        if (!LabelSelectors.IsEmpty(selector) && !LabelSelectors.Matches(selector, labels))
        {
            errors.Add(FieldError.Invalid("spec.template.metadata.labels", GoLiteral.Map(labels), "`selector` does not match template `labels`"));
        }
    }

    public static void ValidateNonNegative(long? value, string path, List<FieldError> errors)
    {
        if (value is < 0)
        {
            errors.Add(FieldError.Invalid(path, value.Value, "must be greater than or equal to 0"));
        }
    }

    /// <summary>apps/v1 selectors may not change after create.</summary>
    public static void ValidateSelectorUnchanged(V1LabelSelector? selector, V1LabelSelector? old, List<FieldError> errors)
    {
        if (!SemanticEquality.AreEqual(selector, old))
        {
            errors.Add(FieldError.Invalid("spec.selector", GoLiteral.Selector(selector), "field is immutable"));
        }
    }
}
