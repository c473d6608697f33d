using k8s.Models;
using Navarch.Api.Labels;

namespace Navarch.Api.Scheduling;

/// <summary>
/// One parsed node selector term: its matchExpressions (against node labels) ANDed with its matchFields (against
/// the node's fields, of which only metadata.name exists), as component-helpers' nodeSelectorTerm. A term that
/// does not parse matches nothing and keeps its error. Parse once (per pod), then match every node without
/// allocating.
/// </summary>
public sealed class NodeSelectorTermMatcher
{
    /// <summary>The only field a node selector term's matchFields can name.</summary>
    public const string NodeNameField = "metadata.name";

    private readonly LabelSelector? _labels;
    private readonly (string Key, string Value, bool Equal)[]? _fields;

    private NodeSelectorTermMatcher(LabelSelector? labels, (string, string, bool)[]? fields, string? error)
    {
        _labels = labels;
        _fields = fields;
        ParseError = error;
    }

    /// <summary>Why the term did not parse (field-path prefixed, errors joined by "; "); null when it did.</summary>
    public string? ParseError { get; }

    /// <summary>A term with neither expressions nor fields selects no node and is dropped by callers.</summary>
    public static bool IsEmpty(V1NodeSelectorTerm? term) =>
        term is null || ((term.MatchExpressions?.Count ?? 0) == 0 && (term.MatchFields?.Count ?? 0) == 0);

    /// <summary>
    /// Parses <paramref name="term"/>; <paramref name="path"/> prefixes error messages (e.g.
    /// <c>nodeSelectorTerms[0]</c>). Never throws for bad input: the result carries <see cref="ParseError"/>.
    /// </summary>
    public static NodeSelectorTermMatcher Parse(V1NodeSelectorTerm term, string path)
    {
        ArgumentNullException.ThrowIfNull(term);
        List<string>? errors = null;
        LabelSelector? labels = null;
        if (term.MatchExpressions is { Count: > 0 } expressions)
        {
            var requirements = new List<LabelRequirement>(expressions.Count);
            for (var i = 0; i < expressions.Count; i++)
            {
                var expression = expressions[i];
                var itemPath = $"{path}.matchExpressions[{i}]";
                SelectorOperator? op = expression.OperatorProperty switch
                {
                    "In" => SelectorOperator.In,
                    "NotIn" => SelectorOperator.NotIn,
                    "Exists" => SelectorOperator.Exists,
                    "DoesNotExist" => SelectorOperator.DoesNotExist,
                    "Gt" => SelectorOperator.GreaterThan,
                    "Lt" => SelectorOperator.LessThan,
                    _ => null,
                };
                if (op is null)
                {
                    (errors ??= []).Add($"{itemPath}.operator: Unsupported value: \"{expression.OperatorProperty}\": "
                        + "supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\", \"Gt\", \"Lt\"");
                    continue;
                }

                try
                {
                    requirements.Add(LabelRequirement.Create(expression.Key ?? string.Empty, op.Value, expression.Values));
                }
                catch (SelectorParseException e)
                {
                    (errors ??= []).Add($"{itemPath}: {e.Message}");
                }
            }

            labels = LabelSelector.FromRequirements(requirements);
        }

        (string, string, bool)[]? fields = null;
        if (term.MatchFields is { Count: > 0 } matchFields)
        {
            fields = new (string, string, bool)[matchFields.Count];
            for (var i = 0; i < matchFields.Count; i++)
            {
                var field = matchFields[i];
                var itemPath = $"{path}.matchFields[{i}]";
                if (field.OperatorProperty is not ("In" or "NotIn"))
                {
                    (errors ??= []).Add($"{itemPath}.operator: Unsupported value: \"{field.OperatorProperty}\": "
                        + "supported values: \"In\", \"NotIn\"");
                    continue;
                }

                if (field.Values is not { Count: 1 })
                {
                    (errors ??= []).Add($"{itemPath}.values: Invalid value: must have one element");
                    continue;
                }

                fields[i] = (field.Key ?? string.Empty, field.Values[0], field.OperatorProperty == "In");
            }
        }

        return errors is null
            ? new NodeSelectorTermMatcher(labels, fields, null)
            : new NodeSelectorTermMatcher(null, null, string.Join("; ", errors));
    }

    /// <summary>True when the node satisfies every expression and field requirement; false for an unparsed term.</summary>
    public bool Matches(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (ParseError is not null) return false;
        if (_labels is not null && !_labels.Matches(node.Metadata)) return false;

        // As fields.Selector over a node's field set: a node without a name has no fields and skips the check.
        var name = node.Metadata?.Name;
        if (_fields is null || string.IsNullOrEmpty(name)) return true;
        foreach (var (key, value, equal) in _fields)
        {
            // A key other than metadata.name reads as the empty string, as fields.Set.Get does.
            var actual = key == NodeNameField ? name : string.Empty;
            if ((actual == value) != equal) return false;
        }

        return true;
    }
}
