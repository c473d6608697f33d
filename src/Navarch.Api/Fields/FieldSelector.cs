using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Navarch.Api.Fields;

/// <summary>
/// An immutable, parsed field selector with the syntax and semantics of k8s.io/apimachinery/pkg/fields:
/// terms <c>f=v</c>, <c>f==v</c> or <c>f!=v</c> joined by commas, where <c>\</c> escapes <c>\</c>, <c>,</c>
/// and <c>=</c> in values. A field the object does not have reads as the empty string.
/// </summary>
public sealed class FieldSelector
{
    private readonly FieldRequirement[] _requirements;

    private FieldSelector(FieldRequirement[] requirements) => _requirements = requirements;

    /// <summary>The selector that matches every object.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The terms, in the order Kubernetes keeps them (sorted by their raw text).</summary>
    public IReadOnlyList<FieldRequirement> Requirements => _requirements;

    public bool IsEmpty => _requirements.Length == 0;

    /// <summary>Parses a field selector string as fields.ParseSelector does; null or empty is <see cref="Everything"/>.</summary>
    /// <exception cref="SelectorParseException">With Kubernetes' message, e.g. <c>invalid selector: 'x'; can't understand 'x'</c>.</exception>
    public static FieldSelector Parse(string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return Everything;
        }

        var terms = SplitTerms(selector);
        terms.Sort(StringComparer.Ordinal);
        var requirements = new List<FieldRequirement>(terms.Count);
        foreach (var term in terms)
        {
            if (term.Length == 0)
            {
                continue;
            }

            if (!TrySplitTerm(term, out var field, out var op, out var rawValue))
            {
                throw new SelectorParseException($"invalid selector: '{selector}'; can't understand '{term}'");
            }

            requirements.Add(new FieldRequirement(field, op, UnescapeValue(rawValue)));
        }

        return requirements.Count == 0 ? Everything : new FieldSelector([.. requirements]);
    }

    /// <summary>Parses like <see cref="Parse"/>, returning the error message instead of throwing.</summary>
    public static bool TryParse(string? selector, [NotNullWhen(true)] out FieldSelector? result, [NotNullWhen(false)] out string? error)
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

    /// <summary>A selector requiring each field to equal the given value (fields.SelectorFromSet).</summary>
    public static FieldSelector FromSet(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var requirements = fields
            .Select(f => new FieldRequirement(f.Key, SelectorOperator.Equals, f.Value))
            .OrderBy(r => r.Field, StringComparer.Ordinal)
            .ToArray();
        return requirements.Length == 0 ? Everything : new FieldSelector(requirements);
    }

    /// <summary>Whether an object matches; <paramref name="getField"/> returns a field's value, or null when absent.</summary>
    public bool Matches(Func<string, string?> getField)
    {
        ArgumentNullException.ThrowIfNull(getField);
        foreach (var requirement in _requirements)
        {
            var actual = getField(requirement.Field) ?? string.Empty;
            var equal = string.Equals(actual, requirement.Value, StringComparison.Ordinal);
            if (equal == (requirement.Operator == SelectorOperator.NotEquals))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Like <see cref="Matches(Func{string, string?})"/> but with explicit state, so a hot loop can pass a
    /// static lambda and the object instead of allocating a closure per object.
    /// </summary>
    public bool Matches<TState>(TState state, Func<TState, string, string?> getField)
    {
        ArgumentNullException.ThrowIfNull(getField);
        foreach (var requirement in _requirements)
        {
            var actual = getField(state, requirement.Field) ?? string.Empty;
            var equal = string.Equals(actual, requirement.Value, StringComparison.Ordinal);
            if (equal == (requirement.Operator == SelectorOperator.NotEquals))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>If the selector requires <paramref name="field"/> to equal one value, returns it (fields.Selector.RequiresExactMatch).</summary>
    public bool TryGetRequiredValue(string field, [MaybeNullWhen(false)] out string value)
    {
        foreach (var requirement in _requirements)
        {
            if (requirement.Operator != SelectorOperator.NotEquals && string.Equals(requirement.Field, field, StringComparison.Ordinal))
            {
                value = requirement.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The selector in canonical form, values escaped.</summary>
    public override string ToString() => string.Join(",", (IEnumerable<FieldRequirement>)_requirements);

    /// <summary>Escapes <c>\</c>, <c>,</c> and <c>=</c> in a value, as fields.EscapeValue.</summary>
    public static string EscapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            if (c is '\\' or ',' or '=')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>Reverses <see cref="EscapeValue"/>; an unknown escape or a bare <c>,</c>/<c>=</c> is an error, as fields.UnescapeValue.</summary>
    /// <exception cref="SelectorParseException">With Kubernetes' message.</exception>
    public static string UnescapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        var inSlash = false;
        foreach (var c in value)
        {
            if (inSlash)
            {
                if (c is not ('\\' or ',' or '='))
                {
                    throw new SelectorParseException("invalid field selector: invalid escape sequence: \\" + c);
                }

                sb.Append(c);
                inSlash = false;
                continue;
            }

            switch (c)
            {
                case '\\':
                    inSlash = true;
                    break;
                case ',' or '=':
                    // Go prints the rune with %v, which is its code point in decimal.
                    throw new SelectorParseException($"invalid field selector: unescaped character in value: {(int)c}");
                default:
                    sb.Append(c);
                    break;
            }
        }

        if (inSlash)
        {
            throw new SelectorParseException("invalid field selector: invalid escape sequence: \\");
        }

        return sb.ToString();
    }

    // Splits on commas that are not escaped; escapes stay in the terms and are undone per value.
    private static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>(1);
        var start = 0;
        var inSlash = false;
        for (var i = 0; i < selector.Length; i++)
        {
            var c = selector[i];
            if (inSlash)
            {
                inSlash = false;
            }
            else if (c == '\\')
            {
                inSlash = true;
            }
            else if (c == ',')
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }

        terms.Add(selector[start..]);
        return terms;
    }

    // The first operator in the term splits it: the field part cannot contain escapes. "!=" and "=="
    // are tried before "=" at each position so the value does not keep a leading '='.
    private static bool TrySplitTerm(string term, out string field, out SelectorOperator op, out string value)
    {
        for (var i = 0; i < term.Length; i++)
        {
            var rest = term.AsSpan(i);
            if (rest.StartsWith("!=", StringComparison.Ordinal))
            {
                (field, op, value) = (term[..i], SelectorOperator.NotEquals, term[(i + 2)..]);
                return true;
            }

            if (rest.StartsWith("==", StringComparison.Ordinal))
            {
                (field, op, value) = (term[..i], SelectorOperator.Equals, term[(i + 2)..]);
                return true;
            }

            if (rest[0] == '=')
            {
                (field, op, value) = (term[..i], SelectorOperator.Equals, term[(i + 1)..]);
                return true;
            }
        }

        (field, op, value) = (string.Empty, default, string.Empty);
        return false;
    }
}
