using System.Globalization;
using k8s.Models;

namespace Navarch.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// A pod's hard node constraints, spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution, with the
/// semantics of component-helpers' nodeaffinity.RequiredNodeAffinity: both must hold; the terms are ORed, the
/// expressions of a term ANDed; a term with no expressions and no fields matches nothing. PodTopologySpread uses it
/// for nodeAffinityPolicy: Honor (nodes the pod could never run on do not count as domains).
/// </summary>
internal sealed class RequiredNodeAffinity
{
    private readonly IDictionary<string, string>? _nodeSelector;
    private readonly IList<V1NodeSelectorTerm>? _terms;

    public RequiredNodeAffinity(V1Pod pod)
    {
        _nodeSelector = pod.Spec?.NodeSelector is { Count: > 0 } selector ? selector : null;
        _terms = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
    }

    public bool Match(V1Node node)
    {
        var labels = node.Metadata?.Labels;
        if (_nodeSelector is not null)
        {
            foreach (var (key, value) in _nodeSelector)
            {
                if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value) return false;
            }
        }

        if (_terms is null) return true;
        foreach (var term in _terms)
        {
            if (TermMatches(term, node, labels)) return true;
        }

        return false;
    }

    private static bool TermMatches(V1NodeSelectorTerm term, V1Node node, IDictionary<string, string>? labels)
    {
        var expressions = term.MatchExpressions;
        var fields = term.MatchFields;
        if ((expressions is null || expressions.Count == 0) && (fields is null || fields.Count == 0)) return false;

        if (expressions is not null)
        {
            foreach (var requirement in expressions)
            {
                string? value = null;
                var has = labels is not null && labels.TryGetValue(requirement.Key, out value);
                if (!RequirementMatches(requirement, has, value)) return false;
            }
        }

        if (fields is not null)
        {
            foreach (var requirement in fields)
            {
                // metadata.name is the only supported node field.
                if (requirement.Key != "metadata.name") return false;
                if (!RequirementMatches(requirement, true, node.Metadata?.Name)) return false;
            }
        }

        return true;
    }

    private static bool RequirementMatches(V1NodeSelectorRequirement requirement, bool has, string? value)
    {
        var values = requirement.Values;
        switch (requirement.OperatorProperty)
        {
            case "In":
                return has && values is not null && values.Contains(value ?? string.Empty);
            case "NotIn":
                return !has || values is null || !values.Contains(value ?? string.Empty);
            case "Exists":
                return has;
            case "DoesNotExist":
                return !has;
            case "Gt":
            case "Lt":
                if (!has || values is not { Count: 1 }
                    || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual)
                    || !long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                {
                    return false;
                }

                return requirement.OperatorProperty == "Gt" ? actual > bound : actual < bound;
            default:
                return false;
        }
    }
}
