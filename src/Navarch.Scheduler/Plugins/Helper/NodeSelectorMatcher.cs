using k8s.Models;

namespace Navarch.Scheduler.Plugins.Helper;

/// <summary>
/// A parsed v1.NodeSelector: its non-empty terms ORed, as component-helpers' LazyErrorNodeSelector. Terms that
/// fail to parse match nothing; <see cref="Errors"/> lists them for callers that must reject bad input.
/// </summary>
internal sealed class NodeSelectorMatcher
{
    private readonly NodeSelectorTermMatcher[] _terms;

    private NodeSelectorMatcher(NodeSelectorTermMatcher[] terms, IReadOnlyList<string> errors)
    {
        _terms = terms;
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }

    public static NodeSelectorMatcher Parse(V1NodeSelector selector, string path = "nodeSelectorTerms")
    {
        var terms = new List<NodeSelectorTermMatcher>();
        var errors = new List<string>();
        if (selector.NodeSelectorTerms is { } list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                // An empty term selects no node, so it is dropped rather than parsed.
                if (NodeSelectorTermMatcher.IsEmpty(list[i])) continue;
                var term = NodeSelectorTermMatcher.Parse(list[i], $"{path}[{i}]");
                if (term.ParseError is not null) errors.Add(term.ParseError);
                terms.Add(term);
            }
        }

        return new NodeSelectorMatcher([.. terms], errors);
    }

    /// <summary>True when any term matches the node.</summary>
    public bool Matches(V1Node node)
    {
        foreach (var term in _terms)
        {
            if (term.Matches(node)) return true;
        }

        return false;
    }
}
