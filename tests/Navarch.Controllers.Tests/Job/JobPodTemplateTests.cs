using k8s.Models;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Job;

namespace Navarch.Controllers.Tests.Job;

public sealed class JobPodTemplateTests
{
    private static V1Job Job() => new()
    {
        Metadata = new V1ObjectMeta { Name = "work", NamespaceProperty = "ns", Uid = "uid-1" },
        Spec = new V1JobSpec
        {
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "w" } },
                Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "c", Image = "busybox" }] },
            },
        },
    };

    private static V1Pod PodFor(V1Job job, int? index)
    {
        var pod = PodControl.FromTemplate(job.Spec.Template, OwnerReferences.ControllerRef(job, "batch/v1", "Job"), job.Metadata.Name);
        JobPodControl.Customize(pod, job, index);
        return pod;
    }

    [Fact]
    public void Customize_NonIndexed_AddsJobLabelsAndTrackingFinalizer()
    {
        var pod = PodFor(Job(), null);
        Assert.Equal("work-", pod.Metadata.GenerateName);
        Assert.Equal("uid-1", pod.Metadata.Labels[JobLabels.ControllerUid]);
        Assert.Equal("uid-1", pod.Metadata.Labels[JobLabels.LegacyControllerUid]);
        Assert.Equal("work", pod.Metadata.Labels[JobLabels.JobName]);
        Assert.Equal("work", pod.Metadata.Labels[JobLabels.LegacyJobName]);
        Assert.Equal("w", pod.Metadata.Labels["app"]);
        Assert.Equal([JobLabels.TrackingFinalizer], pod.Metadata.Finalizers);
        Assert.Null(pod.Spec.Hostname);
        Assert.Null(pod.Spec.Containers[0].Env);
    }

    [Fact]
    public void Customize_Indexed_AddsIndexAnnotationLabelHostnameAndEnv()
    {
        var pod = PodFor(Job(), 2);
        Assert.Equal("work-2-", pod.Metadata.GenerateName);
        Assert.Equal("2", pod.Metadata.Annotations[JobLabels.CompletionIndex]);
        Assert.Equal("2", pod.Metadata.Labels[JobLabels.CompletionIndex]);
        Assert.Equal("work-2", pod.Spec.Hostname);
        var env = Assert.Single(pod.Spec.Containers[0].Env);
        Assert.Equal("JOB_COMPLETION_INDEX", env.Name);
        Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']", env.ValueFrom.FieldRef.FieldPath);
        Assert.Equal(2, JobPodControl.IndexOf(pod, 3));
        Assert.Null(JobPodControl.IndexOf(pod, 2));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(4, 80)]
    [InlineData(6, 320)]
    [InlineData(7, 360)]
    [InlineData(30, 360)]
    public void BackoffFor_DoublesFromTenSecondsUpToSixMinutes(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new JobControllerOptions().BackoffFor(failures));
}
