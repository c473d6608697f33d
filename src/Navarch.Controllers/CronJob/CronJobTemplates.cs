using System.Globalization;
using k8s;
using k8s.Models;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.CronJob;

/// <summary>The Jobs a CronJob makes, named and annotated as Kubernetes' CronJob controller does.</summary>
internal static class CronJobTemplates
{
    /// <summary>When the Job was scheduled to start, RFC 3339 in the CronJob's time zone.</summary>
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    /// <summary>"&lt;cronjob&gt;-&lt;minutes since the epoch of the scheduled time&gt;", stable for a given start.</summary>
    public static string JobName(string cronJobName, DateTimeOffset scheduled) =>
        $"{cronJobName}-{(scheduled.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Go's time.RFC3339 layout: "Z" for UTC, else the offset.</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        time.Offset == TimeSpan.Zero
            ? time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>A Job from the CronJob's template for the start at <paramref name="scheduled"/> (in the CronJob's zone).</summary>
    public static V1Job JobFor(V1CronJob cronJob, DateTimeOffset scheduled)
    {
        var template = cronJob.Spec.JobTemplate;
        var annotations = template.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a) : new Dictionary<string, string>();
        annotations[ScheduledTimestampAnnotation] = Rfc3339(scheduled);
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = JobName(cronJob.Metadata.Name, scheduled),
                NamespaceProperty = cronJob.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : null,
                Annotations = annotations,
                OwnerReferences = [OwnerReferences.ControllerRef(cronJob, "batch/v1", "CronJob")],
            },
            // A deep copy: the template belongs to the cached CronJob.
            Spec = KubernetesJson.Deserialize<V1JobSpec>(KubernetesJson.Serialize(template.Spec)),
        };
    }

    /// <summary>The reference kept in <c>status.active</c>.</summary>
    public static V1ObjectReference ReferenceTo(V1Job job) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Name = job.Metadata.Name,
        NamespaceProperty = job.Metadata.NamespaceProperty,
        Uid = job.Metadata.Uid,
        ResourceVersion = job.Metadata.ResourceVersion,
    };
}
