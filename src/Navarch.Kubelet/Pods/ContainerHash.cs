using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// A short fingerprint of a container's spec, kept on the CRI container as the kubelet keeps its container hash, so a
/// running container whose spec has since changed (<c>kubectl set image</c> on a pod) is seen and restarted. Resources
/// are left out because a resize does not restart a container.
/// </summary>
public static class ContainerHash
{
    // Spec objects are replaced, never changed, when a pod is updated, so a hash is worked out once per spec object.
    private static readonly ConditionalWeakTable<V1Container, string> Cache = new();

    public static string Of(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return Cache.GetValue(container, Compute);
    }

    private static string Compute(V1Container container)
    {
        // The spec object is shared with other readers, so resources are dropped from a copy of its JSON, not from it.
        var json = JsonNode.Parse(KubernetesJson.Serialize(container))!.AsObject();
        json.Remove("resources");
        return Fnv1a(Encoding.UTF8.GetBytes(json.ToJsonString())).ToString("x8", CultureInfo.InvariantCulture);
    }

    /// <summary>True when <paramref name="annotations"/> carry a hash that no longer matches <paramref name="container"/>; a container without one (made elsewhere) counts as unchanged.</summary>
    public static bool Changed(V1Container container, IReadOnlyDictionary<string, string> annotations) =>
        annotations.TryGetValue(KubernetesLabels.ContainerHash, out var hash) && hash != Of(container);

    private static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }
}
