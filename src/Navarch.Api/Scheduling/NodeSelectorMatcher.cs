using k8s.Models;

namespace Navarch.Api.Scheduling;

/// <summary>
/// A parsed v1.NodeSelector: its non-empty terms ORed, as component-helpers' LazyErrorNodeSelector. Terms that
/// fail to parse match nothing; <see cref="Errors"/> lists them for callers that must reject bad input. A
/// selector without any non-empty term matches no node.
/// </summary>
public sealed class NodeSelectorMatcher
{
    /// <summary>The default error path, as the field of a v1.NodeSelector.</summary>
    public const string DefaultPath = "nodeSelectorTerms";

    private readonly NodeSelectorTermMatcher[] _terms;

    private NodeSelectorMatcher(NodeSelectorTermMatcher[] terms, IReadOnlyList<string> errors)
    {
        _terms = terms;
        Errors = errors;
    }

    /// <summary>The parse errors of the terms, each prefixed with its field path; empty when all parsed.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Parses <paramref name="selector"/>; <paramref name="path"/> prefixes the error messages.</summary>
    public static NodeSelectorMatcher Parse(V1NodeSelector selector, string path = DefaultPath)
    {
        ArgumentNullException.ThrowIfNull(selector);
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
