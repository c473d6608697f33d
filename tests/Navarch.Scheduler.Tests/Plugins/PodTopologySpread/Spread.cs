using k8s.Models;

namespace Navarch.Scheduler.Tests.Plugins.PodTopologySpread;

/// <summary>Builders for topology spread constraints in tests.</summary>
internal static class Spread
{
    public const string Zone = "topology.kubernetes.io/zone";
    public const string Hostname = "kubernetes.io/hostname";

    public static V1TopologySpreadConstraint Constraint(
        int maxSkew,
        string topologyKey,
        string whenUnsatisfiable = "DoNotSchedule",
        string selectorKey = "app",
        string selectorValue = "web",
        int? minDomains = null,
        string? nodeAffinityPolicy = null,
        string? nodeTaintsPolicy = null,
        params string[] matchLabelKeys) =>
        new()
        {
            MaxSkew = maxSkew,
            TopologyKey = topologyKey,
            WhenUnsatisfiable = whenUnsatisfiable,
            LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [selectorKey] = selectorValue } },
            MinDomains = minDomains,
            NodeAffinityPolicy = nodeAffinityPolicy,
            NodeTaintsPolicy = nodeTaintsPolicy,
            MatchLabelKeys = matchLabelKeys.Length == 0 ? null : matchLabelKeys,
        };
}
