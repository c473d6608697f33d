using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// What a Pod update may change, after Kubernetes' ValidatePodUpdate: container and init-container images,
/// activeDeadlineSeconds (set, or lowered), tolerations (additions, and tolerationSeconds of NoExecute ones), scheduling
/// gates (removals), and terminationGracePeriodSeconds only from a negative value to 1. Anything else is Forbidden at <c>spec</c>.
/// </summary>
internal static class PodUpdateValidation
{
    public const string ForbiddenMessage =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`," +
        "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)," +
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    public static void Validate(V1PodSpec spec, V1PodSpec old, List<FieldError> errors)
    {
        ValidateImages(spec.Containers, "spec.containers", errors);
        ValidateImages(spec.InitContainers, "spec.initContainers", errors);

        if (old.ActiveDeadlineSeconds is { } oldDeadline)
        {
            if (spec.ActiveDeadlineSeconds is not { } newDeadline)
            {
                errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
            }
            else if (newDeadline > oldDeadline)
            {
                errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", newDeadline, "must be less than or equal to previous value"));
            }
        }

        ValidateOnlyAddedTolerations(spec.Tolerations, old.Tolerations, errors);
        PodSpecValidation.ValidateTolerations(spec.Tolerations, "spec.tolerations", errors);
        ValidateOnlyDeletedSchedulingGates(spec.SchedulingGates, old.SchedulingGates, errors);

        // Compare everything else: copy the old spec, apply the permitted changes to the copy, and demand equality.
        var munged = Clone(old);
        CopyImages(spec.Containers, munged.Containers);
        CopyImages(spec.InitContainers, munged.InitContainers);
        munged.ActiveDeadlineSeconds = spec.ActiveDeadlineSeconds;
        munged.Tolerations = spec.Tolerations;
        munged.SchedulingGates = spec.SchedulingGates;
        if (old.TerminationGracePeriodSeconds is < 0 && spec.TerminationGracePeriodSeconds == 1)
        {
            munged.TerminationGracePeriodSeconds = 1;
        }

        if (!SemanticEquality.AreEqual(munged, spec))
        {
            errors.Add(FieldError.Forbidden("spec", ForbiddenMessage));
        }
    }

    // As validateOnlyDeletedSchedulingGates: gates may be removed (that is how a pod is released to the scheduler), never added.
    private static void ValidateOnlyDeletedSchedulingGates(IList<V1PodSchedulingGate>? gates, IList<V1PodSchedulingGate>? old, List<FieldError> errors)
    {
        if (gates is null)
        {
            return;
        }

        for (var i = 0; i < gates.Count; i++)
        {
            var found = false;
            foreach (var oldGate in old ?? [])
            {
                found |= oldGate.Name == gates[i].Name;
            }

            if (!found)
            {
                errors.Add(FieldError.Forbidden($"spec.schedulingGates[{i}].name", $"only deletion is allowed, but found new scheduling gate '{gates[i].Name}'"));
            }
        }
    }

    private static void ValidateImages(IList<V1Container>? containers, string path, List<FieldError> errors)
    {
        var index = 0;
        foreach (var container in containers ?? [])
        {
            PodSpecValidation.ValidateImage(container.Image, $"{path}[{index++}].image", errors);
        }
    }

    private static void CopyImages(IList<V1Container>? from, IList<V1Container>? to)
    {
        if (from is null || to is null || from.Count != to.Count)
        {
            return;
        }

        for (var i = 0; i < from.Count; i++)
        {
            to[i].Image = from[i].Image;
        }
    }

    // As validateOnlyAddedTolerations: every old toleration must remain, changed at most in a NoExecute toleration's
    // tolerationSeconds, and only downwards from a set value.
    private static void ValidateOnlyAddedTolerations(IList<V1Toleration>? tolerations, IList<V1Toleration>? old, List<FieldError> errors)
    {
        foreach (var oldToleration in old ?? [])
        {
            var found = false;
            foreach (var toleration in tolerations ?? [])
            {
                if (toleration.Key != oldToleration.Key || (toleration.OperatorProperty ?? "Equal") != (oldToleration.OperatorProperty ?? "Equal")
                    || (toleration.Value ?? "") != (oldToleration.Value ?? "") || (toleration.Effect ?? "") != (oldToleration.Effect ?? ""))
                {
                    continue;
                }

                if (toleration.TolerationSeconds == oldToleration.TolerationSeconds
                    || (oldToleration.Effect == "NoExecute" && oldToleration.TolerationSeconds is { } before
                        && toleration.TolerationSeconds is { } after && after <= before))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                errors.Add(FieldError.Forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
                return;
            }
        }
    }

    private static V1PodSpec Clone(V1PodSpec spec) =>
        k8s.KubernetesJson.Deserialize<V1PodSpec>(k8s.KubernetesJson.Serialize(spec));
}
