using k8s.Models;

namespace Navarch.Api.Scheduling;

/// <summary>
/// Parsed preferred node affinity terms; a node's score is the sum of the weights of the terms it matches, as
/// component-helpers' PreferredSchedulingTerms. Terms with weight 0 or no requirements are skipped.
/// </summary>
public sealed class PreferredSchedulingTerms
{
    /// <summary>The default error path, as the field of a v1.NodeAffinity.</summary>
    public const string DefaultPath = "preferredDuringSchedulingIgnoredDuringExecution";

    private readonly (NodeSelectorTermMatcher Term, int Weight)[] _terms;

    private PreferredSchedulingTerms((NodeSelectorTermMatcher, int)[] terms) => _terms = terms;

    /// <summary>Parses the terms; throws ArgumentException listing every term that does not parse.</summary>
    /// <exception cref="ArgumentException">A term does not parse; the message joins every error with "; ".</exception>
    public static PreferredSchedulingTerms Parse(IList<V1PreferredSchedulingTerm>? terms, string path = DefaultPath)
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

    /// <summary>The sum of the weights of the terms <paramref name="node"/> matches.</summary>
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
