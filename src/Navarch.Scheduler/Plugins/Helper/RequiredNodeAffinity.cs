using k8s.Models;

namespace Navarch.Scheduler.Plugins.Helper;

/// <summary>
/// A pod's hard node constraints: spec.nodeSelector ANDed with requiredDuringSchedulingIgnoredDuringExecution,
/// as component-helpers' GetRequiredNodeAffinity. Parse errors in affinity terms make those terms match nothing.
/// </summary>
internal sealed class RequiredNodeAffinity
{
    private readonly KeyValuePair<string, string>[]? _nodeSelector;
    private readonly NodeSelectorMatcher? _affinity;

    private RequiredNodeAffinity(KeyValuePair<string, string>[]? nodeSelector, NodeSelectorMatcher? affinity)
    {
        _nodeSelector = nodeSelector;
        _affinity = affinity;
    }

    public static RequiredNodeAffinity Of(V1Pod pod)
    {
        // Copied to an array so matching each node does not allocate a dictionary enumerator.
        var nodeSelector = pod.Spec?.NodeSelector is { Count: > 0 } selector ? selector.ToArray() : null;
        var required = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return new RequiredNodeAffinity(nodeSelector, required is null ? null : NodeSelectorMatcher.Parse(required));
    }

    public bool Matches(V1Node node)
    {
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
