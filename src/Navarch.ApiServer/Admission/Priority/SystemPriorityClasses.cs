using k8s.Models;

namespace Navarch.ApiServer.Admission.Priority;

/// <summary>The PriorityClasses kube-apiserver creates at start (pkg/apis/scheduling's SystemPriorityClasses).</summary>
internal static class SystemPriorityClasses
{
    public const string NodeCritical = "system-node-critical";
    public const string ClusterCritical = "system-cluster-critical";

    /// <summary>system-cluster-critical's value; system-node-critical sits 1000 above it, as upstream's.</summary>
    public const int SystemCriticalPriority = 2 * 1_000_000_000;

    /// <summary>Fresh copies of the built-in classes, ready to store.</summary>
    public static IReadOnlyList<V1PriorityClass> Create() =>
    [
        new()
        {
            Metadata = new V1ObjectMeta { Name = NodeCritical },
            Value = SystemCriticalPriority + 1000,
            Description = "Used for system critical pods that must not be moved from their current node.",
        },
        new()
        {
            Metadata = new V1ObjectMeta { Name = ClusterCritical },
            Value = SystemCriticalPriority,
            Description = "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        },
    ];
}
