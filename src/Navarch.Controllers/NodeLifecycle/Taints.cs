using k8s.Models;
using Navarch.Api.Scheduling;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>
/// The taints the node controller manages and how long tolerations keep pods (Kubernetes' taint util); matching
/// tolerations to taints is <see cref="Navarch.Api.Scheduling.Tolerations"/>.
/// </summary>
public static class Taints
{
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string MemoryPressure = "node.kubernetes.io/memory-pressure";
    public const string DiskPressure = "node.kubernetes.io/disk-pressure";
    public const string NetworkUnavailable = "node.kubernetes.io/network-unavailable";
    public const string PidPressure = "node.kubernetes.io/pid-pressure";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";
    public const string NoExecute = TaintEffects.NoExecute;
    public const string NoSchedule = TaintEffects.NoSchedule;

    /// <summary>
    /// How long the used tolerations keep a pod on the node, as getMinTolerationTime: the smallest tolerationSeconds
    /// (zero or less: at once), or null when none is bounded (the pod stays).
    /// </summary>
    public static TimeSpan? MinTolerationTime(IReadOnlyList<V1Toleration> used)
    {
        if (used.Count == 0) return TimeSpan.Zero;
        long? min = null;
        foreach (var toleration in used)
        {
            if (toleration.TolerationSeconds is not { } seconds) continue;
            if (seconds <= 0) return TimeSpan.Zero;
            if (min is null || seconds < min) min = seconds;
        }

        return min is { } value ? TimeSpan.FromSeconds(value) : null;
    }

    /// <summary>The node's NoExecute taints.</summary>
    public static IReadOnlyList<V1Taint> NoExecuteOf(V1Node? node)
    {
        if (node?.Spec?.Taints is not { Count: > 0 } taints) return [];
        var result = new List<V1Taint>();
        foreach (var taint in taints)
        {
            if (taint.Effect == NoExecute) result.Add(taint);
        }

        return result;
    }
}
