using System.Globalization;
using System.Text;

namespace Navarch.Api.Labels;

/// <summary>
/// One requirement of a label selector (<c>key op values</c>), immutable and validated as
/// labels.NewRequirement does. Values are kept sorted and distinct.
/// </summary>
public sealed class LabelRequirement
{
    private readonly string[] _values;
    private readonly long _integerValue;

    private LabelRequirement(string key, SelectorOperator op, string[] values, long integerValue)
    {
        Key = key;
        Operator = op;
        _values = values;
        _integerValue = integerValue;
    }

    public string Key { get; }

    public SelectorOperator Operator { get; }

    /// <summary>The values, sorted ordinally and without duplicates (empty for Exists/DoesNotExist).</summary>
    public IReadOnlyList<string> Values => _values;

    /// <summary>
    /// Builds a requirement, validating the key, the values and their number for the operator the way
    /// labels.NewRequirement does; throws <see cref="SelectorParseException"/> with Kubernetes' message.
    /// </summary>
    public static LabelRequirement Create(string key, SelectorOperator op, IEnumerable<string>? values = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var list = values is null ? [] : values.ToList();
        return TryCreate(key, op, list, out var requirement, out var error)
            ? requirement
            : throw new SelectorParseException(error);
    }

    internal static bool TryCreate(
        string key,
        SelectorOperator op,
        IReadOnlyList<string> values,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LabelRequirement? requirement,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        // labels.NewRequirement collects field errors (paths "key", "values", "values[i][key]") into an aggregate.
        var errors = new List<string>();
        var keyErrors = LabelValidation.IsQualifiedName(key);
        if (keyErrors.Count != 0)
        {
            errors.Add(InvalidValue("key", GoFormat.Quote(key), string.Join("; ", keyErrors)));
        }

        long integerValue = 0;
        switch (op)
        {
            case SelectorOperator.In:
            case SelectorOperator.NotIn:
                if (values.Count == 0)
                {
                    errors.Add(InvalidValue("values", GoFormat.StringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
                }

                break;
            case SelectorOperator.Equals:
            case SelectorOperator.DoubleEquals:
            case SelectorOperator.NotEquals:
                if (values.Count != 1)
                {
                    errors.Add(InvalidValue("values", GoFormat.StringSlice(values), "exact-match compatibility requires one single value"));
                }

                break;
            case SelectorOperator.Exists:
            case SelectorOperator.DoesNotExist:
                if (values.Count != 0)
                {
                    errors.Add(InvalidValue("values", GoFormat.StringSlice(values), "values set must be empty for exists and does not exist"));
                }

                break;
            case SelectorOperator.GreaterThan:
            case SelectorOperator.LessThan:
                if (values.Count != 1)
                {
                    errors.Add(InvalidValue("values", GoFormat.StringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
                }

                for (var i = 0; i < values.Count; i++)
                {
                    if (!TryParseInt64(values[i], out integerValue))
                    {
                        errors.Add(InvalidValue($"values[{i}]", GoFormat.Quote(values[i]), "for 'Gt', 'Lt' operators, the value must be an integer"));
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "unknown selector operator");
        }

        for (var i = 0; i < values.Count; i++)
        {
            var valueErrors = LabelValidation.IsValidLabelValue(values[i]);
            if (valueErrors.Count != 0)
            {
                errors.Add(InvalidValue($"values[{i}][{key}]", GoFormat.Quote(values[i]), string.Join("; ", valueErrors)));
            }
        }

        if (errors.Count != 0)
        {
            requirement = null;
            error = Aggregate(errors);
            return false;
        }

        var sorted = values.Distinct(StringComparer.Ordinal).ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        requirement = new LabelRequirement(key, op, sorted, integerValue);
        error = null;
        return true;
    }

    /// <summary>Whether a set of labels satisfies this requirement (a missing map means no labels).</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? MatchesCore(default(EmptyLabels)) : MatchesCore(new ReadOnlyLabels(labels));

    internal bool MatchesCore<TLabels>(TLabels labels)
        where TLabels : struct, ILabelSource
    {
        string? value;
        switch (Operator)
        {
            case SelectorOperator.Equals:
            case SelectorOperator.DoubleEquals:
            case SelectorOperator.In:
                return labels.TryGet(Key, out value) && Contains(value);
            case SelectorOperator.NotEquals:
            case SelectorOperator.NotIn:
                return !labels.TryGet(Key, out value) || !Contains(value);
            case SelectorOperator.Exists:
                return labels.TryGet(Key, out _);
            case SelectorOperator.DoesNotExist:
                return !labels.TryGet(Key, out _);
            case SelectorOperator.GreaterThan:
                return labels.TryGet(Key, out value) && TryParseInt64(value, out var greater) && greater > _integerValue;
            case SelectorOperator.LessThan:
                return labels.TryGet(Key, out value) && TryParseInt64(value, out var less) && less < _integerValue;
            default:
                return false;
        }
    }

    /// <summary>The requirement in selector syntax, as Requirement.String prints it.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Operator == SelectorOperator.DoesNotExist)
        {
            sb.Append('!');
        }

        sb.Append(Key);
        switch (Operator)
        {
            case SelectorOperator.Exists:
            case SelectorOperator.DoesNotExist:
                return sb.ToString();
            case SelectorOperator.Equals: sb.Append('='); break;
            case SelectorOperator.DoubleEquals: sb.Append("=="); break;
            case SelectorOperator.NotEquals: sb.Append("!="); break;
            case SelectorOperator.In: sb.Append(" in ("); break;
            case SelectorOperator.NotIn: sb.Append(" notin ("); break;
            case SelectorOperator.GreaterThan: sb.Append('>'); break;
            case SelectorOperator.LessThan: sb.Append('<'); break;
        }

        sb.AppendJoin(',', _values);
        if (Operator is SelectorOperator.In or SelectorOperator.NotIn)
        {
            sb.Append(')');
        }

        return sb.ToString();
    }

    internal static string InvalidValue(string field, string formattedValue, string detail) =>
        $"{field}: Invalid value: {formattedValue}: {detail}";

    /// <summary>As utilerrors.NewAggregate(...).Error(): one message alone, several de-duplicated in brackets.</summary>
    internal static string Aggregate(List<string> errors)
    {
        if (errors.Count == 1)
        {
            return errors[0];
        }

        var distinct = errors.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }

    // As strconv.ParseInt(s, 10, 64): optional sign, decimal digits only.
    private static bool TryParseInt64(string value, out long result) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);

    private bool Contains(string value)
    {
        var values = _values;
        if (values.Length <= 8)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (string.Equals(values[i], value, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        return Array.BinarySearch(values, value, StringComparer.Ordinal) >= 0;
    }
}
