using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>The "namespace/name" key of a pod.</summary>
public static class PodKey
{
    public static string Of(V1Pod pod) => $"{pod.Metadata?.NamespaceProperty ?? "default"}/{pod.Metadata?.Name}";
}
