using k8s.Models;

namespace Navarch.Scheduler.Tests.Plugins.InterPodAffinity;

/// <summary>Short builders for pod (anti-)affinity in tests.</summary>
internal static class Terms
{
    public const string Zone = "topology.kubernetes.io/zone";
    public const string Hostname = "kubernetes.io/hostname";

    public static V1PodAffinityTerm Term(string key, string value, string topologyKey, V1LabelSelector? namespaceSelector = null, params string[] namespaces) =>
        new()
        {
            LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [key] = value } },
            TopologyKey = topologyKey,
            NamespaceSelector = namespaceSelector,
            Namespaces = namespaces.Length == 0 ? null : namespaces,
        };

    public static V1Affinity RequiredAffinity(params V1PodAffinityTerm[] terms) =>
        new() { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = terms } };

    public static V1Affinity RequiredAntiAffinity(params V1PodAffinityTerm[] terms) =>
        new() { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = terms } };

    public static V1Affinity PreferredAffinity(int weight, V1PodAffinityTerm term) =>
        new()
        {
            PodAffinity = new V1PodAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { PodAffinityTerm = term, Weight = weight }],
            },
        };

    public static V1Affinity PreferredAntiAffinity(int weight, V1PodAffinityTerm term) =>
        new()
        {
            PodAntiAffinity = new V1PodAntiAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { PodAffinityTerm = term, Weight = weight }],
            },
        };
}
