using System.Globalization;
using System.Text;
using k8s.Models;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// The downward API values the kubelet resolves for env (fieldRef, resourceFieldRef) and downwardAPI volume items,
/// with Kubernetes' formatting: label and annotation maps as sorted <c>key="value"</c> lines, resources divided by the
/// divisor and rounded up.
/// </summary>
internal static class DownwardApi
{
    private static readonly string[] DefaultedLimits = ["cpu", "memory", "ephemeral-storage"];

    /// <summary>The value of a fieldRef; throws <see cref="ContainerConfigException"/> for a path the kubelet does not know.</summary>
    public static string FieldValue(V1Pod pod, string fieldPath, PodNetworkInfo network)
    {
        var meta = pod.Metadata ?? new V1ObjectMeta();
        var podIP = network.PodIP ?? (pod.Spec?.HostNetwork == true ? network.HostIP : null) ?? string.Empty;
        switch (fieldPath)
        {
            case "metadata.name":
                return meta.Name ?? string.Empty;
            case "metadata.namespace":
                return string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty;
            case "metadata.uid":
                return meta.Uid ?? string.Empty;
            case "metadata.labels":
                return FormatMap(meta.Labels);
            case "metadata.annotations":
                return FormatMap(meta.Annotations);
            case "spec.nodeName":
                return pod.Spec?.NodeName ?? string.Empty;
            case "spec.serviceAccountName":
                return pod.Spec?.ServiceAccountName ?? string.Empty;
            // The kubelet knows one host IP and one pod IP per family; a single-stack node has one of each.
            case "status.hostIP" or "status.hostIPs":
                return network.HostIP ?? string.Empty;
            case "status.podIP" or "status.podIPs":
                return podIP;
        }

        if (Subscript(fieldPath, "metadata.labels") is { } label)
        {
            return meta.Labels?.TryGetValue(label, out var value) == true ? value : string.Empty;
        }

        if (Subscript(fieldPath, "metadata.annotations") is { } annotation)
        {
            return meta.Annotations?.TryGetValue(annotation, out var value) == true ? value : string.Empty;
        }

        // The kubelet's own message (fieldpath.ExtractFieldPathAsString).
        throw new ContainerConfigException($"unsupported fieldPath: {fieldPath}");
    }

    /// <summary>
    /// The value of a resourceFieldRef for <paramref name="container"/>: limits default to the node's allocatable when the
    /// container sets none (the kubelet's defaultPodLimitsForDownwardAPI), requests to the limit as the API defaults them.
    /// </summary>
    public static string ResourceValue(
        V1Container container, string resource, ResourceQuantity? divisor, IReadOnlyDictionary<string, ResourceQuantity>? nodeAllocatable)
    {
        var isLimit = resource.StartsWith("limits.", StringComparison.Ordinal);
        var isRequest = resource.StartsWith("requests.", StringComparison.Ordinal);
        var name = isLimit ? resource["limits.".Length..] : isRequest ? resource["requests.".Length..] : resource;
        if ((!isLimit && !isRequest) || Array.IndexOf(DefaultedLimits, name) < 0)
        {
            throw new ContainerConfigException($"unsupported container resource : {resource}");
        }

        var limits = container.Resources?.Limits;
        var requests = container.Resources?.Requests;
        decimal? value = isLimit
            ? Get(limits, name) ?? Get(nodeAllocatable, name)
            : Get(requests, name) ?? Get(limits, name);
        var amount = value ?? 0m;
        var divide = divisor?.ToDecimal() is { } d and not 0 ? d : 1m;
        if (name == "cpu")
        {
            // As ConvertResourceCPUToString: milli-units divided and rounded up.
            var result = Math.Ceiling(MilliValue(amount) / MilliValue(divide));
            return result.ToString(CultureInfo.InvariantCulture);
        }

        return Math.Ceiling(Math.Ceiling(amount) / Math.Ceiling(divide)).ToString(CultureInfo.InvariantCulture);
    }

    private static decimal MilliValue(decimal value) => Math.Ceiling(value * 1000m);

    private static decimal? Get(IDictionary<string, ResourceQuantity>? resources, string name) =>
        resources is not null && resources.TryGetValue(name, out var quantity) ? quantity.ToDecimal() : null;

    private static decimal? Get(IReadOnlyDictionary<string, ResourceQuantity>? resources, string name) =>
        resources is not null && resources.TryGetValue(name, out var quantity) ? quantity.ToDecimal() : null;

    /// <summary><c>metadata.labels['key']</c> → <c>key</c>.</summary>
    private static string? Subscript(string fieldPath, string prefix)
    {
        if (fieldPath.Length > prefix.Length + 4
            && fieldPath.StartsWith(prefix + "['", StringComparison.Ordinal)
            && fieldPath.EndsWith("']", StringComparison.Ordinal))
        {
            return fieldPath[(prefix.Length + 2)..^2];
        }

        return null;
    }

    /// <summary>As the API machinery's FormatMap: sorted <c>key="value"</c> lines, values quoted as Go's %q does.</summary>
    private static string FormatMap(IDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach (var key in map.Keys.Order(StringComparer.Ordinal))
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(key).Append("=\"");
            foreach (var c in map[key])
            {
                builder.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\t' => "\\t",
                    '\r' => "\\r",
                    _ => c.ToString(),
                });
            }

            builder.Append('"');
        }

        return builder.ToString();
    }
}
