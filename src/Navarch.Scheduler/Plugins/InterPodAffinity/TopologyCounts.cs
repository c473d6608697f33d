using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Number of matching pods per topology pair, as kube-scheduler's topologyToMatchedTermCount. Entries that fall
/// back to zero are removed, so <see cref="Count"/> says whether anything matched anywhere.
/// </summary>
internal sealed class TopologyCounts
{
    private readonly Dictionary<TopologyPair, long> _counts;

    public TopologyCounts() => _counts = [];

    private TopologyCounts(Dictionary<TopologyPair, long> counts) => _counts = new Dictionary<TopologyPair, long>(counts);

    public int Count => _counts.Count;

    public long this[TopologyPair pair] => _counts.TryGetValue(pair, out var count) ? count : 0;

    public Dictionary<TopologyPair, long>.Enumerator GetEnumerator() => _counts.GetEnumerator();

    public TopologyCounts Clone() => new(_counts);

    /// <summary>Adds <paramref name="value"/> to the node's domain of <paramref name="topologyKey"/>, if the node has the label.</summary>
    public void Update(V1Node node, string topologyKey, long value)
    {
        if (node.Metadata?.Labels is not { } labels || !labels.TryGetValue(topologyKey, out var topologyValue)) return;
        var pair = new TopologyPair(topologyKey, topologyValue);
        var updated = this[pair] + value;
        if (updated == 0) _counts.Remove(pair);
        else _counts[pair] = updated;
    }

    /// <summary>
    /// For an (incoming pod's) affinity term list: counts <paramref name="pod"/> in every term's domain, but only when
    /// it matches all the terms, as kube-scheduler does.
    /// </summary>
    public void UpdateWithAffinityTerms(IReadOnlyList<AffinityTerm> terms, V1Pod pod, NamespaceLabelResolver resolver, V1Node node, long value)
    {
        if (!AffinityMatching.PodMatchesAllIncomingTerms(terms, pod, resolver)) return;
        for (var i = 0; i < terms.Count; i++) Update(node, terms[i].TopologyKey, value);
    }

    /// <summary>For the incoming pod's anti-affinity terms: counts <paramref name="pod"/> in the domain of each term it matches.</summary>
    public void UpdateWithIncomingAntiAffinityTerms(IReadOnlyList<AffinityTerm> terms, V1Pod pod, NamespaceLabelResolver resolver, V1Node node, long value)
    {
        for (var i = 0; i < terms.Count; i++)
        {
            if (AffinityMatching.IncomingTermMatches(terms[i], pod, resolver)) Update(node, terms[i].TopologyKey, value);
        }
    }

    /// <summary>
    /// For an existing pod's anti-affinity terms: counts the existing pod's domain for each term that selects the
    /// incoming pod (<paramref name="incomingPod"/>, whose namespace has <paramref name="incomingNamespaceLabels"/>).
    /// </summary>
    public void UpdateWithExistingAntiAffinityTerms(
        IReadOnlyList<AffinityTerm> terms, V1Pod incomingPod, IReadOnlyDictionary<string, string>? incomingNamespaceLabels, V1Node node, long value)
    {
        for (var i = 0; i < terms.Count; i++)
        {
            if (terms[i].Matches(incomingPod, incomingNamespaceLabels)) Update(node, terms[i].TopologyKey, value);
        }
    }
}
