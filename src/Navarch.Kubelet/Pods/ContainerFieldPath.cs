using k8s.Models;

namespace Navarch.Kubelet.Pods;

/// <summary>The field path of a pod's container, as the kubelet puts it in its events' involvedObject.</summary>
public static class ContainerFieldPath
{
    public static string Of(V1Pod pod, string containerName)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Spec?.InitContainers?.Any(container => container.Name == containerName) == true)
        {
            return $"spec.initContainers{{{containerName}}}";
        }

        return pod.Spec?.EphemeralContainers?.Any(container => container.Name == containerName) == true
            ? $"spec.ephemeralContainers{{{containerName}}}"
            : $"spec.containers{{{containerName}}}";
    }
}
