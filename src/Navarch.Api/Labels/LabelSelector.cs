using System.Diagnostics.CodeAnalysis;
using k8s.Models;

namespace Navarch.Api.Labels;

/// <summary>
/// An immutable, parsed label selector with the semantics of k8s.io/apimachinery/pkg/labels: a conjunction
/// of requirements, sorted by key. <see cref="Matches(IReadOnlyDictionary{string, string}?)"/> allocates
/// nothing, since it runs for every object of a list or watch.
/// </summary>
public sealed class LabelSelector
{
    private readonly LabelRequirement[] _requirements;
    private readonly bool _matchesNothing;

    private LabelSelector(LabelRequirement[] requirements, bool matchesNothing)
    {
        _requirements = requirements;
        _matchesNothing = matchesNothing;
    }

    /// <summary>The selector that matches every object (an empty selector string).</summary>
    public static LabelSelector Everything { get; } = new([], matchesNothing: false);

    /// <summary>The selector that matches no object (what a missing <c>V1LabelSelector</c> means).</summary>
    public static LabelSelector Nothing { get; } = new([], matchesNothing: true);

    /// <summary>The requirements, sorted by key.</summary>
    public IReadOnlyList<LabelRequirement> Requirements => _requirements;

    /// <summary>True when the selector has no requirements and so matches everything.</summary>
    public bool IsEmpty => !_matchesNothing && _requirements.Length == 0;

    /// <summary>
    /// Parses a selector string such as <c>app=web,tier!=db,env in (prod,qa),!canary</c>, as labels.Parse does.
    /// A null or blank string is <see cref="Everything"/>.
    /// </summary>
    /// <exception cref="SelectorParseException">The string is not a valid selector; the message is Kubernetes'.</exception>
    public static LabelSelector Parse(string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return Everything;
        }

        var requirements = LabelSelectorParser.Parse(selector);
        return FromRequirements(requirements);
    }

    /// <summary>Parses like <see cref="Parse"/>, returning the error message instead of throwing.</summary>
    public static bool TryParse(string? selector, [NotNullWhen(true)] out LabelSelector? result, [NotNullWhen(false)] out string? error)
    {
        try
        {
            result = Parse(selector);
            error = null;
            return true;
        }
        catch (SelectorParseException e)
        {
            result = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Converts an API <c>V1LabelSelector</c> as metav1.LabelSelectorAsSelector does: null matches nothing,
    /// an empty one matches everything, matchLabels become equality requirements and matchExpressions
    /// In/NotIn/Exists/DoesNotExist requirements.
    /// </summary>
    /// <exception cref="SelectorParseException">An invalid key, value, operator or value count.</exception>
    public static LabelSelector FromLabelSelector(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }

        var matchLabels = selector.MatchLabels;
        var matchExpressions = selector.MatchExpressions;
        var count = (matchLabels?.Count ?? 0) + (matchExpressions?.Count ?? 0);
        if (count == 0)
        {
            return Everything;
        }

        var requirements = new List<LabelRequirement>(count);
        if (matchLabels is not null)
        {
            foreach (var (key, value) in matchLabels)
            {
                requirements.Add(LabelRequirement.Create(key, SelectorOperator.Equals, [value ?? string.Empty]));
            }
        }

        if (matchExpressions is not null)
        {
            foreach (var expression in matchExpressions)
            {
                var op = expression.OperatorProperty switch
                {
                    "In" => SelectorOperator.In,
                    "NotIn" => SelectorOperator.NotIn,
                    "Exists" => SelectorOperator.Exists,
                    "DoesNotExist" => SelectorOperator.DoesNotExist,
                    _ => throw new SelectorParseException(
                        $"{GoFormat.Quote(expression.OperatorProperty ?? string.Empty)} is not a valid label selector operator"),
                };
                requirements.Add(LabelRequirement.Create(expression.Key ?? string.Empty, op, expression.Values));
            }
        }

        return FromRequirements(requirements);
    }

    /// <summary>A selector requiring every label of <paramref name="labels"/> (labels.SelectorFromValidatedSet, with validation).</summary>
    public static LabelSelector FromSet(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0)
        {
            return Everything;
        }

        var requirements = new List<LabelRequirement>(labels.Count);
        foreach (var (key, value) in labels)
        {
            requirements.Add(LabelRequirement.Create(key, SelectorOperator.Equals, [value]));
        }

        return FromRequirements(requirements);
    }

    /// <summary>A selector of the given requirements (sorted by key, as labels.Selector.Add does).</summary>
    public static LabelSelector FromRequirements(IEnumerable<LabelRequirement> requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        var array = requirements.ToArray();
        if (array.Length == 0)
        {
            return Everything;
        }

        // Stable, so several requirements on one key keep their written order.
        var sorted = array.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        return new LabelSelector(sorted, matchesNothing: false);
    }

    /// <summary>Whether the labels satisfy every requirement; null labels are treated as none.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? MatchesCore(default(EmptyLabels)) : MatchesCore(new ReadOnlyLabels(labels));

    /// <summary>Whether an object's labels (<c>metadata.labels</c>) satisfy every requirement.</summary>
    public bool Matches(V1ObjectMeta? metadata) =>
        metadata?.Labels is { } labels ? MatchesCore(new MutableLabels(labels)) : MatchesCore(default(EmptyLabels));

    /// <summary>
    /// If the selector pins <paramref name="key"/> to exactly one value (<c>key=v</c>, <c>key==v</c> or
    /// <c>key in (v)</c>), returns it, so a caller can look objects up in an index instead of scanning
    /// (as labels.Selector.RequiresExactMatch).
    /// </summary>
    public bool TryGetRequiredValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (var requirement in _requirements)
        {
            if (string.Equals(requirement.Key, key, StringComparison.Ordinal)
                && requirement.Operator is SelectorOperator.Equals or SelectorOperator.DoubleEquals or SelectorOperator.In
                && requirement.Values.Count == 1)
            {
                value = requirement.Values[0];
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The selector in its canonical string form (requirements sorted by key, joined by commas).</summary>
    public override string ToString() => _matchesNothing ? "<none>" : string.Join(",", (IEnumerable<LabelRequirement>)_requirements);

    private bool MatchesCore<TLabels>(TLabels labels)
        where TLabels : struct, ILabelSource
    {
        if (_matchesNothing)
        {
            return false;
        }

        var requirements = _requirements;
        for (var i = 0; i < requirements.Length; i++)
        {
            if (!requirements[i].MatchesCore(labels))
            {
                return false;
            }
        }

        return true;
    }
}
