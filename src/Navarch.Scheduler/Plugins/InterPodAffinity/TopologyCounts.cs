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

    // How many counted pairs each topology key has: Filter looks up the node's value of each key (a handful)
    // instead of walking every counted domain (one per node for kubernetes.io/hostname).
    private readonly Dictionary<string, int> _keys;

    public TopologyCounts()
    {
        _counts = [];
        _keys = new(StringComparer.Ordinal);
    }

    private TopologyCounts(TopologyCounts other)
    {
        _counts = new Dictionary<TopologyPair, long>(other._counts);
        _keys = new Dictionary<string, int>(other._keys, StringComparer.Ordinal);
    }

    /// <summary>The topology keys with at least one counted domain.</summary>
    public Dictionary<string, int>.KeyCollection Keys => _keys.Keys;

    public int Count => _counts.Count;

    public long this[TopologyPair pair] => _counts.TryGetValue(pair, out var count) ? count : 0;

    public Dictionary<TopologyPair, long>.Enumerator GetEnumerator() => _counts.GetEnumerator();

    public TopologyCounts Clone() => new(this);

    /// <summary>Adds <paramref name="value"/> to the node's domain of <paramref name="topologyKey"/>, if the node has the label.</summary>
    public void Update(V1Node node, string topologyKey, long value)
    {
        if (node.Metadata?.Labels is not { } labels || !labels.TryGetValue(topologyKey, out var topologyValue)) return;
        var pair = new TopologyPair(topologyKey, topologyValue);
        var existed = _counts.TryGetValue(pair, out var current);
        var updated = current + value;
        if (updated == 0)
        {
            if (existed)
            {
                _counts.Remove(pair);
                if (--_keys[topologyKey] == 0) _keys.Remove(topologyKey);
            }

            return;
        }

        _counts[pair] = updated;
        if (!existed) _keys[topologyKey] = _keys.GetValueOrDefault(topologyKey) + 1;
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
