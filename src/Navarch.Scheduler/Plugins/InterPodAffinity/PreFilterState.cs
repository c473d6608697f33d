using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// What PreFilter computes for Filter, as kube-scheduler's interpodaffinity preFilterState. Cloneable because
/// preemption adds and removes pods on a copy while it simulates evictions.
/// </summary>
internal sealed class PreFilterState : ICloneable
{
    public PreFilterState(
        PodInfo podInfo,
        IReadOnlyDictionary<string, string>? namespaceLabels,
        NamespaceLabelResolver resolver,
        TopologyCounts existingAntiAffinityCounts,
        TopologyCounts affinityCounts,
        TopologyCounts antiAffinityCounts)
    {
        PodInfo = podInfo;
        NamespaceLabels = namespaceLabels;
        Resolver = resolver;
        ExistingAntiAffinityCounts = existingAntiAffinityCounts;
        AffinityCounts = affinityCounts;
        AntiAffinityCounts = antiAffinityCounts;
    }

    /// <summary>The incoming pod.</summary>
    public PodInfo PodInfo { get; }

    /// <summary>Labels of the incoming pod's namespace (for existing pods' namespace selectors).</summary>
    public IReadOnlyDictionary<string, string>? NamespaceLabels { get; }

    public NamespaceLabelResolver Resolver { get; }

    /// <summary>Per domain, existing pods whose required anti-affinity selects the incoming pod.</summary>
    public TopologyCounts ExistingAntiAffinityCounts { get; }

    /// <summary>Per domain, existing pods that match all the incoming pod's required affinity terms.</summary>
    public TopologyCounts AffinityCounts { get; }

    /// <summary>Per domain, existing pods that match the incoming pod's required anti-affinity terms.</summary>
    public TopologyCounts AntiAffinityCounts { get; }

    /// <summary>Counts <paramref name="pod"/> on <paramref name="node"/> in (multiplier 1) or out (-1), as updateWithPod.</summary>
    public void UpdateWithPod(PodInfo pod, k8s.Models.V1Node node, long multiplier)
    {
        ExistingAntiAffinityCounts.UpdateWithExistingAntiAffinityTerms(pod.RequiredAntiAffinityTerms, PodInfo.Pod, NamespaceLabels, node, multiplier);
        AffinityCounts.UpdateWithAffinityTerms(PodInfo.RequiredAffinityTerms, pod.Pod, Resolver, node, multiplier);
        AntiAffinityCounts.UpdateWithIncomingAntiAffinityTerms(PodInfo.RequiredAntiAffinityTerms, pod.Pod, Resolver, node, multiplier);
    }

    public object Clone() => new PreFilterState(
        PodInfo, NamespaceLabels, Resolver, ExistingAntiAffinityCounts.Clone(), AffinityCounts.Clone(), AntiAffinityCounts.Clone());
}
