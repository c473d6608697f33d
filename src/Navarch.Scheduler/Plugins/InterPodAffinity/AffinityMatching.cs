using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.InterPodAffinity;

/// <summary>How the incoming pod's terms select existing pods.</summary>
internal static class AffinityMatching
{
    /// <summary>
    /// True when the incoming pod's <paramref name="term"/> selects <paramref name="pod"/>. An empty namespace
    /// selector selects every namespace; a non-empty one the namespaces the cache knows whose labels it matches
    /// (kube-scheduler's mergeAffinityTermNamespacesIfNotEmpty).
    /// </summary>
    public static bool IncomingTermMatches(AffinityTerm term, V1Pod pod, NamespaceLabelResolver resolver)
    {
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var namespaceMatches = term.Namespaces.Contains(ns);
        if (!namespaceMatches && term.NamespaceSelector is { } selector)
        {
            namespaceMatches = selector.IsEmpty || (resolver.Get(ns) is { } labels && selector.Matches(labels));
        }

        return namespaceMatches && term.Selector.Matches(pod.Metadata);
    }

    /// <summary>True when <paramref name="pod"/> matches every term (false for no terms), as podMatchesAllAffinityTerms.</summary>
    public static bool PodMatchesAllIncomingTerms(IReadOnlyList<AffinityTerm> terms, V1Pod pod, NamespaceLabelResolver resolver)
    {
        if (terms.Count == 0) return false;
        for (var i = 0; i < terms.Count; i++)
        {
            if (!IncomingTermMatches(terms[i], pod, resolver)) return false;
        }

        return true;
    }
}
