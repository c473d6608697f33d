using k8s.Models;
using Navarch.Controllers.CronJob;

namespace Navarch.Controllers.Tests.CronJob;

public sealed class CronJobTemplatesTests
{
    [Fact]
    public void JobName_IsCronJobNameAndMinutesSinceEpoch() =>
        Assert.Equal("backup-28575960", CronJobTemplates.JobName("backup", new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void JobFor_CopiesTemplateAndAddsOwnerAndScheduledTimestamp()
    {
        var cronJob = new V1CronJob
        {
            Metadata = new V1ObjectMeta { Name = "backup", NamespaceProperty = "ns", Uid = "cj-uid" },
            Spec = new V1CronJobSpec
            {
                Schedule = "0 * * * *",
                JobTemplate = new V1JobTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = new Dictionary<string, string> { ["app"] = "backup" },
                        Annotations = new Dictionary<string, string> { ["note"] = "x" },
                    },
                    Spec = new V1JobSpec { BackoffLimit = 2, Template = new V1PodTemplateSpec { Spec = new V1PodSpec() } },
                },
            },
        };
        var scheduled = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2));

        var job = CronJobTemplates.JobFor(cronJob, scheduled);

        Assert.Equal("backup-28575960", job.Metadata.Name);
        Assert.Equal("ns", job.Metadata.NamespaceProperty);
        Assert.Equal("backup", job.Metadata.Labels["app"]);
        Assert.Equal("x", job.Metadata.Annotations["note"]);
        Assert.Equal("2024-05-01T12:00:00+02:00", job.Metadata.Annotations[CronJobTemplates.ScheduledTimestampAnnotation]);
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("batch/v1", "CronJob", "backup", "cj-uid", true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller == true));
        Assert.Equal(2, job.Spec.BackoffLimit);
        Assert.NotSame(cronJob.Spec.JobTemplate.Spec, job.Spec);
    }

    [Fact]
    public void Rfc3339_InUtc_EndsWithZ() =>
        Assert.Equal("2024-05-01T10:00:00Z", CronJobTemplates.Rfc3339(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero)));
}
