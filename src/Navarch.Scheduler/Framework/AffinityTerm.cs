using k8s.Models;
using Navarch.Api.Labels;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// A parsed pod (anti-)affinity term: the selector, the namespaces it applies to, and the topology key.
/// As in Kubernetes, an empty namespace list with no namespace selector means the pod's own namespace.
/// </summary>
public sealed record AffinityTerm(
    LabelSelector Selector,
    IReadOnlySet<string> Namespaces,
    LabelSelector? NamespaceSelector,
    string TopologyKey)
{
    public static AffinityTerm From(V1PodAffinityTerm term, string podNamespace)
    {
        var selector = LabelSelector.FromLabelSelector(term.LabelSelector);
        if (term.LabelSelector is null) selector = LabelSelector.Nothing;

        HashSet<string> namespaces = new(StringComparer.Ordinal);
        if (term.Namespaces is not null)
        {
            foreach (var ns in term.Namespaces) namespaces.Add(ns);
        }

        LabelSelector? namespaceSelector = term.NamespaceSelector is null
            ? null
            : LabelSelector.FromLabelSelector(term.NamespaceSelector);
        if (namespaces.Count == 0 && namespaceSelector is null) namespaces.Add(podNamespace);
        return new AffinityTerm(selector, namespaces, namespaceSelector, term.TopologyKey ?? string.Empty);
    }

    /// <summary>
    /// True when <paramref name="pod"/> is selected by this term. <paramref name="namespaceLabels"/> are the labels
    /// of the pod's namespace, needed only when the term has a namespace selector.
    /// </summary>
    public bool Matches(V1Pod pod, IReadOnlyDictionary<string, string>? namespaceLabels)
    {
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var namespaceMatches = Namespaces.Contains(ns)
            || (NamespaceSelector is not null && NamespaceSelector.Matches(namespaceLabels));
        return namespaceMatches && Selector.Matches(pod.Metadata?.Labels as IReadOnlyDictionary<string, string>);
    }
}
