using System.Globalization;
using System.Text;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Cell formatting shared by the printers, each helper named after the kube-apiserver function it matches.</summary>
internal static class PrintFormat
{
    public const string None = "<none>";
    public const string Unknown = "<unknown>";

    /// <summary>translateTimestampSince: the AGE of a timestamp, "&lt;unknown&gt;" when it is unset.</summary>
    public static string Since(DateTime? timestamp, DateTimeOffset now) =>
        timestamp is { } t ? HumanDuration.Format(now - ToUtc(t)) : Unknown;

    public static string Age(V1ObjectMeta? metadata, DateTimeOffset now) => Since(metadata?.CreationTimestamp, now);

    /// <summary>KubernetesClient reads RFC 3339 times as UTC; an unspecified kind is taken as UTC too.</summary>
    public static DateTimeOffset ToUtc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(t.ToUniversalTime()),
        _ => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
    };

    public static bool Later(DateTime? candidate, DateTime? current) =>
        candidate is { } c && (current is not { } cur || ToUtc(cur) < ToUtc(c));

    /// <summary>labels.FormatLabels: "k1=v1,k2=v2" sorted by key, or "&lt;none&gt;".</summary>
    public static string FormatLabels(IDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0)
        {
            return None;
        }

        var keys = labels.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var key in keys)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(key).Append('=').Append(labels[key]);
        }

        return sb.ToString();
    }

    /// <summary>printBoolPtr: "True", "False" or "&lt;unset&gt;".</summary>
    public static string BoolPointer(bool? value) => value switch
    {
        true => "True",
        false => "False",
        null => "<unset>",
    };

    /// <summary>layoutContainerCells: container names and images, each comma-joined.</summary>
    public static (string Names, string Images) ContainerCells(IList<V1Container>? containers)
    {
        if (containers is null || containers.Count == 0)
        {
            return ("", "");
        }

        return (string.Join(",", containers.Select(c => c.Name)), string.Join(",", containers.Select(c => c.Image)));
    }

    public static string EmptyAs(string? value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;

    /// <summary>net.JoinHostPort: IPv6 hosts in brackets.</summary>
    public static string JoinHostPort(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal)
            ? "[" + host + "]:" + port.ToString(CultureInfo.InvariantCulture)
            : host + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>listWithMoreString: the first few items, "+ N more...", or "&lt;unset&gt;" when empty.</summary>
    public static string ListWithMore(List<string> shown, bool more, int count, int max)
    {
        var joined = string.Join(",", shown);
        if (more)
        {
            return joined + " + " + (count - max).ToString(CultureInfo.InvariantCulture) + " more...";
        }

        return joined.Length == 0 ? "<unset>" : joined;
    }
}
