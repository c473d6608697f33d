using k8s.Models;
using Navarch.Api.Pods;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// A pod's ephemeral containers (<c>kubectl debug</c>) as the container specs the kubelet runs them from: the same
/// fields, never restarted, not probed, and started whether or not the pod has initialized, as upstream.
/// </summary>
public static class EphemeralContainers
{
    /// <summary>The pod's ephemeral containers with their <c>targetContainerName</c> (null when they share nothing).</summary>
    public static IEnumerable<(V1Container Spec, string? Target)> Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        foreach (var ephemeral in pod.Spec?.EphemeralContainers ?? [])
        {
            yield return (EphemeralContainerSpec.ToContainer(ephemeral), string.IsNullOrEmpty(ephemeral.TargetContainerName) ? null : ephemeral.TargetContainerName);
        }
    }
}
