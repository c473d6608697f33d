using k8s.Models;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.Admission.Priority;

/// <summary>
/// kube-apiserver's <c>Priority</c> admission plugin (plugin/pkg/admission/priority). On pod create it resolves
/// <c>spec.priorityClassName</c> (or the globalDefault class when none is named) to <c>spec.priority</c> and
/// <c>spec.preemptionPolicy</c>; on pod update it keeps the stored values when the new object leaves them out.
/// On PriorityClass writes it allows at most one globalDefault class.
/// </summary>
internal sealed class PriorityAdmission(IPriorityClassLister classes) : IMutatingAdmission, IValidatingAdmission
{
    public const string SchedulingGroup = "scheduling.k8s.io";
    public const string PriorityClassesResource = "priorityclasses";
    public const string PreemptLowerPriority = "PreemptLowerPriority";

    /// <summary>A pod's priority when it names no class and no class is globalDefault.</summary>
    public const int DefaultPriorityWhenNoDefaultClassExists = 0;

    public string Name => "Priority";

    public async ValueTask AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (!request.IsMain("", "pods") || request.Object is not V1Pod pod)
        {
            return;
        }

        pod.Spec ??= new V1PodSpec();
        if (request.Operation == AdmissionOperation.Update)
        {
            // The priority was set on create; pod validation forbids changing it, so an update that leaves it out keeps it.
            if (request.OldObject is V1Pod { Spec: { } old })
            {
                pod.Spec.Priority ??= old.Priority;
                pod.Spec.PreemptionPolicy ??= old.PreemptionPolicy;
            }

            return;
        }

        int priority;
        string? preemptionPolicy;
        if (string.IsNullOrEmpty(pod.Spec.PriorityClassName))
        {
            var globalDefault = DefaultClass(await classes.ListAsync(consistent: false, cancellationToken).ConfigureAwait(false));
            priority = globalDefault?.Value ?? DefaultPriorityWhenNoDefaultClassExists;
            preemptionPolicy = globalDefault is null ? PreemptLowerPriority : globalDefault.PreemptionPolicy;
            if (globalDefault is not null)
            {
                pod.Spec.PriorityClassName = globalDefault.Metadata.Name;
            }
        }
        else
        {
            var named = await classes.GetAsync(pod.Spec.PriorityClassName, cancellationToken).ConfigureAwait(false)
                ?? throw request.Forbidden($"no PriorityClass with name {pod.Spec.PriorityClassName} was found");
            // Validation makes value required, so a stored class always has one.
            priority = named.Value ?? DefaultPriorityWhenNoDefaultClassExists;
            preemptionPolicy = named.PreemptionPolicy;
        }

        if (pod.Spec.Priority is { } given && given != priority)
        {
            throw request.Forbidden(
                $"the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name");
        }

        pod.Spec.Priority = priority;
        if (!string.IsNullOrEmpty(preemptionPolicy))
        {
            if (!string.IsNullOrEmpty(pod.Spec.PreemptionPolicy) && pod.Spec.PreemptionPolicy != preemptionPolicy)
            {
                throw request.Forbidden(
                    $"the string value of PreemptionPolicy ({pod.Spec.PreemptionPolicy}) must not be provided in pod spec; priority admission controller computed {preemptionPolicy} from the given PriorityClass name");
            }

            pod.Spec.PreemptionPolicy = preemptionPolicy;
        }
    }

    public async ValueTask ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (!request.IsMain(SchedulingGroup, PriorityClassesResource) || request.Object is not V1PriorityClass { GlobalDefault: true } created)
        {
            return;
        }

        // A consistent read: two globalDefault classes made one after the other must not both pass.
        var existing = DefaultClass(await classes.ListAsync(consistent: true, cancellationToken).ConfigureAwait(false));
        if (existing is null)
        {
            return;
        }

        if (request.Operation == AdmissionOperation.Create || existing.Metadata.Name != created.Metadata.Name)
        {
            throw request.Forbidden($"PriorityClass {existing.Metadata.Name} is already marked as default. Only one default can exist");
        }
    }

    /// <summary>
    /// The globalDefault class; should a race have left several, the one with the lowest value, as kube-apiserver picks.
    /// </summary>
    private static V1PriorityClass? DefaultClass(IReadOnlyList<V1PriorityClass> all)
    {
        V1PriorityClass? found = null;
        foreach (var pc in all)
        {
            if (pc.GlobalDefault == true && (found is null || pc.Value < found.Value))
            {
                found = pc;
            }
        }

        return found;
    }
}
