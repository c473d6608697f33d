using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// A pod with what the scheduler derives from it once: requests and parsed affinity terms. Immutable; a pod
/// update makes a new <see cref="PodInfo"/>.
/// </summary>
public sealed class PodInfo
{
    public PodInfo(V1Pod pod)
    {
        Pod = pod;
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        Requests = PodRequests.Compute(pod);
        NonZeroRequests = PodRequests.Compute(pod, nonZero: true);

        var affinity = pod.Spec?.Affinity;
        RequiredAffinityTerms = ParseRequired(affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, ns);
        RequiredAntiAffinityTerms = ParseRequired(affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, ns);
        PreferredAffinityTerms = ParsePreferred(affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, ns);
        PreferredAntiAffinityTerms = ParsePreferred(affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, ns);
    }

    public V1Pod Pod { get; }

    /// <summary>"namespace/name", the key the scheduler's queue and cache use.</summary>
    public string Key => PodKey.Of(Pod);

    public string Uid => Pod.Metadata?.Uid ?? string.Empty;

    /// <summary>Effective requests (see <see cref="PodRequests"/>).</summary>
    public Resource Requests { get; }

    /// <summary>Requests with cpu/memory defaults for unset values, used by scoring.</summary>
    public Resource NonZeroRequests { get; }

    public IReadOnlyList<AffinityTerm> RequiredAffinityTerms { get; }

    public IReadOnlyList<AffinityTerm> RequiredAntiAffinityTerms { get; }

    public IReadOnlyList<WeightedAffinityTerm> PreferredAffinityTerms { get; }

    public IReadOnlyList<WeightedAffinityTerm> PreferredAntiAffinityTerms { get; }

    public bool HasAffinity => RequiredAffinityTerms.Count > 0 || RequiredAntiAffinityTerms.Count > 0
        || PreferredAffinityTerms.Count > 0 || PreferredAntiAffinityTerms.Count > 0;

    public bool HasRequiredAntiAffinity => RequiredAntiAffinityTerms.Count > 0;

    /// <summary>spec.priority, 0 when unset (as the Priority admission plugin defaults it).</summary>
    public int Priority => Pod.Spec?.Priority ?? 0;

    private static IReadOnlyList<AffinityTerm> ParseRequired(IList<V1PodAffinityTerm>? terms, string ns)
    {
        if (terms is null || terms.Count == 0) return [];
        var result = new AffinityTerm[terms.Count];
        for (var i = 0; i < terms.Count; i++) result[i] = AffinityTerm.From(terms[i], ns);
        return result;
    }

    private static IReadOnlyList<WeightedAffinityTerm> ParsePreferred(IList<V1WeightedPodAffinityTerm>? terms, string ns)
    {
        if (terms is null || terms.Count == 0) return [];
        var result = new WeightedAffinityTerm[terms.Count];
        for (var i = 0; i < terms.Count; i++)
        {
            result[i] = new WeightedAffinityTerm(AffinityTerm.From(terms[i].PodAffinityTerm, ns), terms[i].Weight);
        }

        return result;
    }
}
