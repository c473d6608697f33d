using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// A pod's ephemeral containers (<c>kubectl debug</c>) as the container specs the kubelet runs them from: the same
/// fields, never restarted, not probed, and started whether or not the pod has initialized, as upstream.
/// </summary>
public static class EphemeralContainers
{
    // Spec objects are replaced, never changed, when a pod is updated, so each is converted once.
    private static readonly ConditionalWeakTable<V1EphemeralContainer, V1Container> Converted = new();

    /// <summary>The pod's ephemeral containers with their <c>targetContainerName</c> (null when they share nothing).</summary>
    public static IEnumerable<(V1Container Spec, string? Target)> Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        foreach (var ephemeral in pod.Spec?.EphemeralContainers ?? [])
        {
            yield return (Converted.GetValue(ephemeral, AsContainer), string.IsNullOrEmpty(ephemeral.TargetContainerName) ? null : ephemeral.TargetContainerName);
        }
    }

    /// <summary>The ephemeral container as a <see cref="V1Container"/>: every field an ephemeral container has, a container has too.</summary>
    public static V1Container AsContainer(V1EphemeralContainer ephemeral)
    {
        ArgumentNullException.ThrowIfNull(ephemeral);
        return KubernetesJson.Deserialize<V1Container>(KubernetesJson.Serialize(ephemeral));
    }
}
