using System.Text;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>
/// A label selector as text, the way metav1.LabelSelectorAsSelector(...).String() writes it: requirements sorted by
/// key, "k=v", "k in (a,b)", "k notin (a,b)", "k", "!k", values sorted.
/// </summary>
internal static class LabelSelectorFormat
{
    /// <summary>The selector's string, empty for a nil or empty selector; null when the selector is invalid.</summary>
    public static string? ToSelectorString(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return "";
        }

        var requirements = new List<(string Key, string Text)>();
        if (selector.MatchLabels is not null)
        {
            foreach (var (key, value) in selector.MatchLabels)
            {
                requirements.Add((key, key + "=" + value));
            }
        }

        if (selector.MatchExpressions is not null)
        {
            foreach (var expression in selector.MatchExpressions)
            {
                var values = expression.Values?.ToArray() ?? [];
                Array.Sort(values, StringComparer.Ordinal);
                string? text = expression.OperatorProperty switch
                {
                    "In" when values.Length > 0 => expression.Key + " in (" + string.Join(",", values) + ")",
                    "NotIn" when values.Length > 0 => expression.Key + " notin (" + string.Join(",", values) + ")",
                    "Exists" when values.Length == 0 => expression.Key,
                    "DoesNotExist" when values.Length == 0 => "!" + expression.Key,
                    _ => null,
                };
                if (text is null)
                {
                    return null;
                }

                requirements.Add((expression.Key, text));
            }
        }

        // OrderBy is stable, as Go's sort is for the handful of requirements a selector has.
        var sb = new StringBuilder();
        foreach (var requirement in requirements.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(requirement.Text);
        }

        return sb.ToString();
    }

    /// <summary>metav1.FormatLabelSelector: the selector, "&lt;none&gt;" when empty, "&lt;error&gt;" when invalid.</summary>
    public static string Format(V1LabelSelector? selector) => ToSelectorString(selector) switch
    {
        null => "<error>",
        "" => PrintFormat.None,
        var s => s,
    };
}
