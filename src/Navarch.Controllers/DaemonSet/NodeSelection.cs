using System.Globalization;
using k8s.Models;

namespace Navarch.Controllers.DaemonSet;

/// <summary>
/// Matching a node against a pod's nodeSelector, required node affinity and tolerations, as the scheduler's
/// NodeAffinity and TaintToleration filters (component-helpers' nodeaffinity and v1helper.TolerationsTolerateTaint).
/// </summary>
internal static class NodeSelection
{
    /// <summary>True when every nodeSelector label is on the node and one required affinity term (if any) matches.</summary>
    public static bool MatchesRequiredAffinity(V1Node node, IDictionary<string, string>? nodeSelector, V1NodeSelector? required)
    {
        var labels = node.Metadata?.Labels;
        if (nodeSelector is { Count: > 0 })
        {
            foreach (var (key, value) in nodeSelector)
            {
                if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value) return false;
            }
        }

        if (required?.NodeSelectorTerms is not { } terms) return true;
        foreach (var term in terms)
        {
            if (MatchesTerm(node, term)) return true;
        }

        // As nodeaffinity.NewNodeSelector: a required node affinity whose terms all fail (or are empty) matches nothing.
        return false;
    }

    /// <summary>A term matches when it has at least one requirement and all of them hold.</summary>
    public static bool MatchesTerm(V1Node node, V1NodeSelectorTerm term)
    {
        var expressions = term.MatchExpressions;
        var fields = term.MatchFields;
        if ((expressions is null || expressions.Count == 0) && (fields is null || fields.Count == 0)) return false;
        if (expressions is not null)
        {
            foreach (var requirement in expressions)
            {
                string? value = null;
                var present = node.Metadata?.Labels?.TryGetValue(requirement.Key, out value) == true;
                if (!Matches(requirement, present, value)) return false;
            }
        }

        if (fields is not null)
        {
            foreach (var requirement in fields)
            {
                // Only metadata.name is a supported node field selector.
                if (requirement.Key != "metadata.name") return false;
                if (!Matches(requirement, true, node.Metadata?.Name)) return false;
            }
        }

        return true;
    }

    private static bool Matches(V1NodeSelectorRequirement requirement, bool present, string? value)
    {
        var values = requirement.Values;
        switch (requirement.OperatorProperty)
        {
            case "In":
                return present && values is not null && values.Contains(value!);
            case "NotIn":
                return !present || values is null || !values.Contains(value!);
            case "Exists":
                return present;
            case "DoesNotExist":
                return !present;
            case "Gt":
            case "Lt":
                if (!present || values is not { Count: 1 }) return false;
                if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var actual)) return false;
                if (!long.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bound)) return false;
                return requirement.OperatorProperty == "Gt" ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    /// <summary>As v1.Toleration.ToleratesTaint.</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    /// <summary>The first taint passing <paramref name="filter"/> that no toleration tolerates, or null.</summary>
    public static V1Taint? FindUntolerated(IList<V1Taint>? taints, IReadOnlyList<V1Toleration> tolerations, Func<V1Taint, bool> filter)
    {
        if (taints is null) return null;
        foreach (var taint in taints)
        {
            if (!filter(taint)) continue;
            var tolerated = false;
            foreach (var toleration in tolerations)
            {
                if (Tolerates(toleration, taint))
                {
                    tolerated = true;
                    break;
                }
            }

            if (!tolerated) return taint;
        }

        return null;
    }
}
