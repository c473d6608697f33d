using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>Deployment conditions and the rollout predicates built on them, as Kubernetes' deploymentutil.</summary>
internal static class DeploymentConditions
{
    public const string Progressing = "Progressing";
    public const string Available = "Available";
    public const string ReplicaFailure = "ReplicaFailure";

    // Reasons, as deploymentutil names them.
    public const string NewReplicaSetCreated = "NewReplicaSetCreated";
    public const string FoundNewReplicaSet = "FoundNewReplicaSet";
    public const string FailedReplicaSetCreate = "ReplicaSetCreateError";
    public const string ReplicaSetUpdated = "ReplicaSetUpdated";
    public const string NewReplicaSetAvailable = "NewReplicaSetAvailable";
    public const string TimedOut = "ProgressDeadlineExceeded";
    public const string Paused = "DeploymentPaused";
    public const string Resumed = "DeploymentResumed";
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    public static V1DeploymentCondition? Get(V1DeploymentStatus? status, string type) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>A condition stamped now; API times have whole seconds, so we keep whole seconds too (status compares stay stable).</summary>
    public static V1DeploymentCondition New(string type, string status, string reason, string message, DateTimeOffset now)
    {
        var time = Truncate(now);
        return new V1DeploymentCondition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastUpdateTime = time,
            LastTransitionTime = time,
        };
    }

    /// <summary>SetDeploymentCondition: nothing changes when status and reason are the same; the transition time stays when only the reason changes.</summary>
    public static void Set(V1DeploymentStatus status, V1DeploymentCondition condition)
    {
        var current = Get(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason) return;
        if (current is not null && current.Status == condition.Status) condition.LastTransitionTime = current.LastTransitionTime;
        Remove(status, condition.Type);
        status.Conditions ??= [];
        status.Conditions.Add(condition);
    }

    public static void Remove(V1DeploymentStatus status, string type)
    {
        if (status.Conditions is null) return;
        status.Conditions = status.Conditions.Where(c => c.Type != type).ToList();
    }

    /// <summary>False when progressDeadlineSeconds is unset or MaxInt32 (no deadline).</summary>
    public static bool HasProgressDeadline(V1Deployment d) => d.Spec?.ProgressDeadlineSeconds is { } seconds && seconds != int.MaxValue;

    /// <summary>DeploymentComplete: every replica updated and available, no old ones, the spec observed.</summary>
    public static bool Complete(V1Deployment d, V1DeploymentStatus status)
    {
        var replicas = RolloutMath.Replicas(d);
        return (status.UpdatedReplicas ?? 0) == replicas
            && (status.Replicas ?? 0) == replicas
            && (status.AvailableReplicas ?? 0) == replicas
            && (status.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0);
    }

    /// <summary>DeploymentProgressing: more updated, ready or available replicas, or fewer old ones, than the last status said.</summary>
    public static bool IsProgressing(V1Deployment d, V1DeploymentStatus status)
    {
        var old = d.Status ?? new V1DeploymentStatus();
        var oldOld = (old.Replicas ?? 0) - (old.UpdatedReplicas ?? 0);
        var newOld = (status.Replicas ?? 0) - (status.UpdatedReplicas ?? 0);
        return (status.UpdatedReplicas ?? 0) > (old.UpdatedReplicas ?? 0)
            || newOld < oldOld
            || (status.ReadyReplicas ?? 0) > (old.ReadyReplicas ?? 0)
            || (status.AvailableReplicas ?? 0) > (old.AvailableReplicas ?? 0);
    }

    /// <summary>DeploymentTimedOut: the Progressing condition has not been updated for progressDeadlineSeconds.</summary>
    public static bool IsTimedOut(V1Deployment d, V1DeploymentStatus status, DateTimeOffset now)
    {
        if (!HasProgressDeadline(d)) return false;
        var condition = Get(status, Progressing);
        if (condition is null || condition.Reason == NewReplicaSetAvailable) return false;
        if (condition.Reason == TimedOut) return true;
        if (condition.LastUpdateTime is not { } from) return false;
        // HasProgressDeadline checked it is set.
        return Utc(from).AddSeconds(d.Spec!.ProgressDeadlineSeconds!.Value) < now;
    }

    public static DateTimeOffset Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(time.ToUniversalTime()),
        _ => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
    };

    private static DateTime Truncate(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }
}
