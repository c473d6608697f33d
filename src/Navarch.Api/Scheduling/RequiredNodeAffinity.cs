using k8s.Models;

namespace Navarch.Api.Scheduling;

/// <summary>
/// A pod's hard node constraints: spec.nodeSelector ANDed with requiredDuringSchedulingIgnoredDuringExecution,
/// as component-helpers' GetRequiredNodeAffinity (used alike by kube-scheduler's NodeAffinity and
/// PodTopologySpread plugins and by the DaemonSet controller). Parse errors in affinity terms make those terms
/// match nothing. Build once per pod (or pod template); <see cref="Matches"/> allocates nothing.
/// </summary>
public sealed class RequiredNodeAffinity
{
    private readonly KeyValuePair<string, string>[]? _nodeSelector;
    private readonly NodeSelectorMatcher? _affinity;

    private RequiredNodeAffinity(KeyValuePair<string, string>[]? nodeSelector, NodeSelectorMatcher? affinity)
    {
        _nodeSelector = nodeSelector;
        _affinity = affinity;
    }

    /// <summary>The required node affinity of <paramref name="pod"/>.</summary>
    public static RequiredNodeAffinity Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return Of(pod.Spec);
    }

    /// <summary>The required node affinity of a pod spec (e.g. a DaemonSet's template); a null spec matches every node.</summary>
    public static RequiredNodeAffinity Of(V1PodSpec? spec)
    {
        // Copied to an array so matching each node does not allocate a dictionary enumerator.
        var nodeSelector = spec?.NodeSelector is { Count: > 0 } selector ? selector.ToArray() : null;
        var required = spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return new RequiredNodeAffinity(nodeSelector, required is null ? null : NodeSelectorMatcher.Parse(required));
    }

    /// <summary>True when the node has every nodeSelector label and matches one required affinity term (if any).</summary>
    public bool Matches(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (_nodeSelector is not null)
        {
            var labels = node.Metadata?.Labels;
            foreach (var (key, value) in _nodeSelector)
            {
                if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value) return false;
            }
        }

        return _affinity is null || _affinity.Matches(node);
    }
}
