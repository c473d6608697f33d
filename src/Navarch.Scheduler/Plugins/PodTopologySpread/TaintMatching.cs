using k8s.Models;

namespace Navarch.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// Whether a node has a NoSchedule/NoExecute taint the pod does not tolerate (kube-scheduler's
/// FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc), for nodeTaintsPolicy: Honor.
/// </summary>
internal static class TaintMatching
{
    public static bool HasUntoleratedDoNotScheduleTaint(V1Node node, V1Pod pod)
    {
        if (node.Spec?.Taints is not { Count: > 0 } taints) return false;
        var tolerations = pod.Spec?.Tolerations;
        foreach (var taint in taints)
        {
            if (taint.Effect is not ("NoSchedule" or "NoExecute")) continue;
            if (!Tolerated(taint, tolerations)) return true;
        }

        return false;
    }

    private static bool Tolerated(V1Taint taint, IList<V1Toleration>? tolerations)
    {
        if (tolerations is null) return false;
        foreach (var toleration in tolerations)
        {
            if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) continue;
            if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) continue;
            switch (toleration.OperatorProperty)
            {
                case "Exists":
                    return true;
                case null or "" or "Equal":
                    // An empty key only makes sense with Exists (validation enforces it).
                    if (string.IsNullOrEmpty(toleration.Key)) continue;
                    if ((toleration.Value ?? string.Empty) == (taint.Value ?? string.Empty)) return true;
                    break;
            }
        }

        return false;
    }
}
