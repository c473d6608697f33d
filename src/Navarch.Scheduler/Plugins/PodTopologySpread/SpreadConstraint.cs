using k8s.Models;
using Navarch.Api;
using Navarch.Api.Labels;
using Navarch.Api.Scheduling;

namespace Navarch.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// A parsed topologySpreadConstraint, as kube-scheduler's internal topologySpreadConstraint: the selector has
/// matchLabelKeys merged in, minDomains defaults to 1, nodeAffinityPolicy to Honor and nodeTaintsPolicy to Ignore.
/// </summary>
internal sealed record SpreadConstraint(
    int MaxSkew,
    string TopologyKey,
    LabelSelector Selector,
    int MinDomains,
    bool HonorNodeAffinity,
    bool HonorNodeTaints)
{
    public const string HostnameLabel = "kubernetes.io/hostname";

    /// <summary>Whether the node counts as a domain for the pod under this constraint's inclusion policies.</summary>
    public bool MatchNodeInclusionPolicies(V1Pod pod, V1Node node, RequiredNodeAffinity requiredAffinity)
    {
        if (HonorNodeAffinity && !requiredAffinity.Matches(node)) return false;
        if (HonorNodeTaints && Tolerations.FindUntolerated(node.Spec?.Taints, pod.Spec?.Tolerations, TaintEffectFilter.DoNotSchedule) is not null) return false;
        return true;
    }

    /// <summary>
    /// The constraints of <paramref name="constraints"/> with the given whenUnsatisfiable action, as
    /// filterTopologySpreadConstraints does.
    /// </summary>
    /// <exception cref="SelectorParseException">A label selector is invalid.</exception>
    public static List<SpreadConstraint> Filter(
        IEnumerable<V1TopologySpreadConstraint> constraints, IDictionary<string, string>? podLabels, string action)
    {
        var result = new List<SpreadConstraint>();
        foreach (var c in constraints)
        {
            if (c.WhenUnsatisfiable != action) continue;
            var selector = LabelSelector.FromLabelSelector(c.LabelSelector);
            if (c.MatchLabelKeys is { Count: > 0 } keys && !ReferenceEquals(selector, LabelSelector.Nothing) && podLabels is not null)
            {
                var requirements = new List<LabelRequirement>();
                foreach (var key in keys)
                {
                    if (podLabels.TryGetValue(key, out var value))
                    {
                        requirements.Add(LabelRequirement.Create(key, SelectorOperator.Equals, [value]));
                    }
                }

                if (requirements.Count > 0)
                {
                    requirements.AddRange(selector.Requirements);
                    selector = LabelSelector.FromRequirements(requirements);
                }
            }

            result.Add(new SpreadConstraint(
                c.MaxSkew,
                c.TopologyKey ?? string.Empty,
                selector,
                c.MinDomains ?? 1,
                c.NodeAffinityPolicy != "Ignore",
                c.NodeTaintsPolicy == "Honor"));
        }

        return result;
    }

    /// <summary>True when the node has every constraint's topology key (nodeLabelsMatchSpreadConstraints).</summary>
    public static bool NodeHasAllKeys(IDictionary<string, string>? labels, IReadOnlyList<SpreadConstraint> constraints)
    {
        for (var i = 0; i < constraints.Count; i++)
        {
            if (labels is null || !labels.ContainsKey(constraints[i].TopologyKey)) return false;
        }

        return true;
    }

    /// <summary>
    /// Pods on a node that count for a constraint: same namespace as the incoming pod, not terminating, selected.
    /// An empty selector counts nothing, as countPodsMatchSelector does.
    /// </summary>
    public static int CountMatchingPods(IReadOnlyList<Framework.PodInfo> pods, LabelSelector selector, string ns)
    {
        if (selector.IsEmpty) return 0;
        var count = 0;
        for (var i = 0; i < pods.Count; i++)
        {
            var pod = pods[i].Pod;
            if (pod.Metadata?.DeletionTimestamp is not null || (pod.Metadata?.NamespaceProperty ?? "default") != ns) continue;
            if (selector.Matches(pod.Metadata)) count++;
        }

        return count;
    }
}
