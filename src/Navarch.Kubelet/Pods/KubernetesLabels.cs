namespace Navarch.Kubelet.Pods;

/// <summary>The labels and annotations the kubelet puts on CRI sandboxes and containers, with Kubernetes' names.</summary>
public static class KubernetesLabels
{
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string ContainerName = "io.kubernetes.container.name";

    /// <summary>An annotation, as the kubelet keeps it, so a restart count survives the kubelet itself.</summary>
    public const string ContainerRestartCount = "io.kubernetes.container.restartCount";

    /// <summary>An annotation with the <see cref="ContainerHash"/> of the spec the container was made from.</summary>
    public const string ContainerHash = "io.kubernetes.container.hash";
}
