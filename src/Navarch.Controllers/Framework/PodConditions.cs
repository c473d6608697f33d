using k8s.Models;

namespace Navarch.Controllers.Framework;

/// <summary>Pod state as controllers judge it (Kubernetes' podutil.IsPodReady, IsPodAvailable, controller.IsPodActive).</summary>
public static class PodConditions
{
    public static V1PodCondition? Get(V1Pod pod, string type)
    {
        if (pod.Status?.Conditions is not { } conditions) return null;
        foreach (var condition in conditions)
        {
            if (condition.Type == type) return condition;
        }

        return null;
    }

    public static bool IsReady(V1Pod pod) => Get(pod, "Ready")?.Status == "True";

    /// <summary>Ready for at least <paramref name="minReadySeconds"/> (by the Ready condition's lastTransitionTime).</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        var ready = Get(pod, "Ready");
        if (ready?.Status != "True") return false;
        if (minReadySeconds == 0) return true;
        return ready.LastTransitionTime is { } since
            && new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)).AddSeconds(minReadySeconds) <= now;
    }

    /// <summary>Not finished and not being deleted: the pods a ReplicaSet or Job counts as its own running ones.</summary>
    public static bool IsActive(V1Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata?.DeletionTimestamp is null;

    public static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";
}
