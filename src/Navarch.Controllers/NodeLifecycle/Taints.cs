using k8s.Models;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>The taints the node controller manages and how tolerations match them (Kubernetes' v1helper and taint util).</summary>
public static class Taints
{
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string MemoryPressure = "node.kubernetes.io/memory-pressure";
    public const string DiskPressure = "node.kubernetes.io/disk-pressure";
    public const string NetworkUnavailable = "node.kubernetes.io/network-unavailable";
    public const string PidPressure = "node.kubernetes.io/pid-pressure";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";
    public const string NoExecute = "NoExecute";
    public const string NoSchedule = "NoSchedule";

    /// <summary>True when <paramref name="toleration"/> tolerates <paramref name="taint"/>, as ToleratesTaint.</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    /// <summary>
    /// Whether every taint is tolerated, and for each taint the first toleration that tolerates it, as
    /// GetMatchingTolerations.
    /// </summary>
    public static bool TryMatch(IReadOnlyList<V1Taint> taints, IList<V1Toleration>? tolerations, out List<V1Toleration> used)
    {
        used = [];
        foreach (var taint in taints)
        {
            V1Toleration? match = null;
            foreach (var toleration in tolerations ?? [])
            {
                if (!Tolerates(toleration, taint)) continue;
                match = toleration;
                break;
            }

            if (match is null) return false;
            used.Add(match);
        }

        return true;
    }

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
