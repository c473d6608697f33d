using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Accumulates InterPodAffinity's PreScore weights per topology key and value, as kube-scheduler's
/// processExistingPod: the incoming pod's preferred terms that select an existing pod, and the existing pod's
/// required affinity (weighted by hardPodAffinityWeight) and preferred terms that select the incoming pod.
/// </summary>
internal sealed class TopologyScorer(
    PodInfo incoming,
    IReadOnlyDictionary<string, string>? incomingNamespaceLabels,
    NamespaceLabelResolver resolver,
    int hardPodAffinityWeight)
{
    public Dictionary<string, Dictionary<string, long>> Scores { get; } = new(StringComparer.Ordinal);

    /// <summary>True once any term matched on a node with its topology key (kube-scheduler skips Score otherwise).</summary>
    public bool AnyMatch { get; private set; }

    public void ProcessExistingPod(PodInfo existing, V1Node node)
    {
        foreach (var term in incoming.PreferredAffinityTerms)
        {
            if (AffinityMatching.IncomingTermMatches(term.Term, existing.Pod, resolver)) Add(term.Term.TopologyKey, node, term.Weight);
        }

        foreach (var term in incoming.PreferredAntiAffinityTerms)
        {
            if (AffinityMatching.IncomingTermMatches(term.Term, existing.Pod, resolver)) Add(term.Term.TopologyKey, node, -term.Weight);
        }

        if (hardPodAffinityWeight > 0)
        {
            foreach (var term in existing.RequiredAffinityTerms)
            {
                if (term.Matches(incoming.Pod, incomingNamespaceLabels)) Add(term.TopologyKey, node, hardPodAffinityWeight);
            }
        }

        foreach (var term in existing.PreferredAffinityTerms)
        {
            if (term.Term.Matches(incoming.Pod, incomingNamespaceLabels)) Add(term.Term.TopologyKey, node, term.Weight);
        }

        foreach (var term in existing.PreferredAntiAffinityTerms)
        {
            if (term.Term.Matches(incoming.Pod, incomingNamespaceLabels)) Add(term.Term.TopologyKey, node, -term.Weight);
        }
    }

    private void Add(string topologyKey, V1Node node, long weight)
    {
        if (node.Metadata?.Labels is not { } labels || !labels.TryGetValue(topologyKey, out var value)) return;
        if (!Scores.TryGetValue(topologyKey, out var values))
        {
            values = new Dictionary<string, long>(StringComparer.Ordinal);
            Scores[topologyKey] = values;
        }

        values[value] = values.GetValueOrDefault(value) + weight;
        AnyMatch = true;
    }
}
