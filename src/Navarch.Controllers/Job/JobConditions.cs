using k8s.Models;

namespace Navarch.Controllers.Job;

/// <summary>Reading and setting Job conditions as the Job controller does.</summary>
internal static class JobConditions
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";
    public const string Suspended = "Suspended";

    public static V1JobCondition? Get(V1JobStatus? status, string type) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(V1JobStatus? status, string type) => Get(status, type)?.Status == "True";

    /// <summary>True once the Job has a Complete or Failed condition that is True: it will never run pods again.</summary>
    public static bool IsFinished(V1Job job) => IsTrue(job.Status, Complete) || IsTrue(job.Status, Failed);

    /// <summary>When the Job finished (its finishing condition's transition), or null while it runs.</summary>
    public static DateTimeOffset? FinishedAt(V1Job job)
    {
        foreach (var type in (ReadOnlySpan<string>)[Complete, Failed])
        {
            if (Get(job.Status, type) is { Status: "True" } condition)
            {
                var at = condition.LastTransitionTime ?? job.Status?.CompletionTime;
                return at is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : null;
            }
        }

        return null;
    }

    /// <summary>Sets a condition; the transition time moves only when the status changes, as Kubernetes' updateConditions.</summary>
    public static void Set(V1JobStatus status, string type, string value, string reason, string message, DateTimeOffset now)
    {
        var conditions = status.Conditions ??= [];
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            conditions.Add(new V1JobCondition
            {
                Type = type,
                Status = value,
                Reason = reason,
                Message = message,
                LastProbeTime = now.UtcDateTime,
                LastTransitionTime = now.UtcDateTime,
            });
            return;
        }

        if (existing.Status != value)
        {
            existing.LastTransitionTime = now.UtcDateTime;
        }

        if (existing.Status != value || existing.Reason != reason || existing.Message != message)
        {
            existing.LastProbeTime = now.UtcDateTime;
        }

        existing.Status = value;
        existing.Reason = reason;
        existing.Message = message;
    }
}
