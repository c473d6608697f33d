using k8s.Models;

namespace Navarch.Scheduler.Plugins.Helper;

/// <summary>
/// Parsed preferred node affinity terms; a node's score is the sum of the weights of the terms it matches, as
/// component-helpers' PreferredSchedulingTerms. Terms with weight 0 or no requirements are skipped.
/// </summary>
internal sealed class PreferredSchedulingTerms
{
    private readonly (NodeSelectorTermMatcher Term, int Weight)[] _terms;

    private PreferredSchedulingTerms((NodeSelectorTermMatcher, int)[] terms) => _terms = terms;

    /// <summary>Parses the terms; throws ArgumentException listing every term that does not parse.</summary>
    public static PreferredSchedulingTerms Parse(IList<V1PreferredSchedulingTerm>? terms, string path = "preferredDuringSchedulingIgnoredDuringExecution")
    {
        var parsed = new List<(NodeSelectorTermMatcher, int)>();
        List<string>? errors = null;
        if (terms is not null)
        {
            for (var i = 0; i < terms.Count; i++)
            {
                var term = terms[i];
                if (term.Weight == 0 || NodeSelectorTermMatcher.IsEmpty(term.Preference)) continue;
                var matcher = NodeSelectorTermMatcher.Parse(term.Preference, $"{path}[{i}].preference");
                if (matcher.ParseError is not null) (errors ??= []).Add(matcher.ParseError);
                else parsed.Add((matcher, term.Weight));
            }
        }

        if (errors is not null) throw new ArgumentException(string.Join("; ", errors));
        return new PreferredSchedulingTerms([.. parsed]);
    }

    public long Score(V1Node node)
    {
        long score = 0;
        foreach (var (term, weight) in _terms)
        {
            if (term.Matches(node)) score += weight;
        }

        return score;
    }
}
