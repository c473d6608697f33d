using System.Text;
using k8s.Models;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// A field error value printed the way Go's <c>%#v</c> prints it in kube-apiserver's messages, e.g.
/// <c>map[string]string{"app":"web"}</c>, so clients that match on error text see what Kubernetes sends.
/// </summary>
internal sealed record GoLiteral(string Text)
{
    public override string ToString() => Text;

    /// <summary><c>map[string]string{"a":"b", "c":"d"}</c>, keys sorted as Go prints them.</summary>
    public static GoLiteral Map(IDictionary<string, string>? map) => new(MapText(map));

    /// <summary>The list as JSON, e.g. <c>["10.43.0.5"]</c>.</summary>
    public static GoLiteral StringList(IEnumerable<string> values) =>
        new("[" + string.Join(",", values.Select(v => "\"" + v + "\"")) + "]");

    /// <summary><c>v1.LabelSelector{MatchLabels:map[string]string{...}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}</c>
    /// (field errors print the pointed-to value).</summary>
    public static GoLiteral Selector(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return new("null");
        }

        var text = new StringBuilder("v1.LabelSelector{MatchLabels:").Append(MapText(selector.MatchLabels)).Append(", MatchExpressions:");
        if (selector.MatchExpressions is null)
        {
            text.Append("[]v1.LabelSelectorRequirement(nil)");
        }
        else
        {
            text.Append("[]v1.LabelSelectorRequirement{");
            text.AppendJoin(", ", selector.MatchExpressions.Select(e =>
                $"v1.LabelSelectorRequirement{{Key:\"{e.Key}\", Operator:\"{e.OperatorProperty}\", Values:{SliceText(e.Values)}}}"));
            text.Append('}');
        }

        return new(text.Append('}').ToString());
    }

    private static string MapText(IDictionary<string, string>? map)
    {
        if (map is null)
        {
            return "map[string]string(nil)";
        }

        return "map[string]string{" + string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"\"{p.Key}\":\"{p.Value}\"")) + "}";
    }

    private static string SliceText(IList<string>? values) =>
        values is null ? "[]string(nil)" : "[]string{" + string.Join(", ", values.Select(v => $"\"{v}\"")) + "}";
}
