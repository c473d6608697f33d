using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.Job;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.Job;

public sealed class JobControllerTests(JobControllerFixture fixture) : IClassFixture<JobControllerFixture>
{
    private IKubernetes Admin => fixture.Cluster.Admin;

    private static V1Job NewJob(string name, int? completions = 1, int? parallelism = 1, Action<V1JobSpec>? customize = null)
    {
        var spec = new V1JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "main", Image = "busybox" }] },
            },
        };
        customize?.Invoke(spec);
        return new V1Job { Metadata = new V1ObjectMeta { Name = name }, Spec = spec };
    }

    private async Task<List<V1Pod>> PodsAsync(string ns) => [.. (await Admin.CoreV1.ListNamespacedPodAsync(ns)).Items];

    private static bool IsRunning(V1Pod pod) => pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata.DeletionTimestamp is null;

    private Task<V1Job> JobAsync(string ns, string name) => Admin.BatchV1.ReadNamespacedJobAsync(name, ns);

    private Task<V1Job> WaitForConditionAsync(string ns, string name, string type, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(() => JobAsync(ns, name), j => JobConditionsTrue(j, type), $"job {name} condition {type}", timeout);

    private static bool JobConditionsTrue(V1Job job, string type) => job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    private async Task<List<Corev1Event>> EventsAsync(string ns) => [.. (await Admin.CoreV1.ListNamespacedEventAsync(ns)).Items];

    private Task PatchSpecAsync(string ns, string name, object spec) =>
        Admin.BatchV1.PatchNamespacedJobAsync(
            new V1Patch(JsonSerializer.Serialize(new { spec }), V1Patch.PatchType.MergePatch), name, ns);

    [Fact]
    public async Task NonIndexed_ThreeCompletionsTwoInParallel_CompletesWithThreeSucceeded()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-complete");
        var created = await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("work", completions: 3, parallelism: 2), ns);
        var kubelet = new FakeKubelet(Admin);
        var finished = new HashSet<string>();
        var maxRunning = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        V1Job job;
        while (true)
        {
            job = await JobAsync(ns, "work");
            if (JobConditionsTrue(job, "Complete")) break;
            Assert.True(DateTime.UtcNow < deadline, $"job did not complete: {KubernetesJson.Serialize(job.Status)}");
            var running = (await PodsAsync(ns)).Where(IsRunning).ToList();
            maxRunning = Math.Max(maxRunning, running.Count);
            foreach (var pod in running.Where(p => finished.Add(p.Metadata.Name)))
            {
                await kubelet.RunAsync(pod);
                await kubelet.FinishAsync(pod, succeeded: true);
            }

            await Task.Delay(50);
        }

        Assert.Equal(3, job.Status.Succeeded);
        Assert.Equal(0, job.Status.Failed ?? 0);
        Assert.Equal(0, job.Status.Active ?? 0);
        Assert.NotNull(job.Status.StartTime);
        Assert.NotNull(job.Status.CompletionTime);
        Assert.Equal(3, finished.Count);
        Assert.Equal(2, maxRunning);

        var pods = await PodsAsync(ns);
        Assert.Equal(3, pods.Count);
        foreach (var pod in pods)
        {
            Assert.StartsWith("work-", pod.Metadata.Name);
            Assert.Equal(created.Metadata.Uid, pod.Metadata.Labels[JobLabels.ControllerUid]);
            Assert.Equal("work", pod.Metadata.Labels[JobLabels.JobName]);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("Job", created.Metadata.Uid, true), (owner.Kind, owner.Uid, owner.Controller == true));
        }

        // Every pod was counted and released.
        await Eventually.TrueAsync(async () => (await PodsAsync(ns)).All(p => p.Metadata.Finalizers is not { Count: > 0 }), "tracking finalizers removed");
        await Eventually.TrueAsync(async () =>
        {
            var events = await EventsAsync(ns);
            return events.Any(e => e.Reason == "Completed" && e.Message == "Job completed")
                && events.Count(e => e.Reason == "SuccessfulCreate") >= 1;
        }, "Completed and SuccessfulCreate events");
    }

    [Fact]
    public async Task WorkQueue_WithoutCompletions_CompletesWhenOneSucceededAndNoneRuns()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-queue");
        await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("queue", completions: null, parallelism: 2), ns);
        var kubelet = new FakeKubelet(Admin);
        var pods = await Eventually.ValueAsync(async () => (await PodsAsync(ns)).Where(IsRunning).ToList(), p => p.Count == 2, "two workers");
        await kubelet.FinishAsync(pods[0], succeeded: true);
        await Eventually.ValueAsync(() => JobAsync(ns, "queue"), j => j.Status?.Succeeded == 1, "first worker counted");
        Assert.False(JobConditionsTrue(await JobAsync(ns, "queue"), "Complete"));
        Assert.Equal(2, (await PodsAsync(ns)).Count);

        await kubelet.FinishAsync(pods[1], succeeded: true);
        var job = await WaitForConditionAsync(ns, "queue", "Complete");
        Assert.Equal(2, job.Status.Succeeded);
        Assert.Equal(2, (await PodsAsync(ns)).Count);
    }

    [Fact]
    public async Task Failures_BeyondBackoffLimit_FailJobWithBackoffLimitExceeded()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-backoff");
        await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("flaky", customize: s => s.BackoffLimit = 2), ns);
        var kubelet = new FakeKubelet(Admin);
        var failedPods = new HashSet<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        V1Job job;
        while (true)
        {
            job = await JobAsync(ns, "flaky");
            if (JobConditionsTrue(job, "Failed")) break;
            Assert.True(DateTime.UtcNow < deadline, $"job did not fail: {KubernetesJson.Serialize(job.Status)}");
            foreach (var pod in (await PodsAsync(ns)).Where(IsRunning).Where(p => failedPods.Add(p.Metadata.Name)))
            {
                await kubelet.FinishAsync(pod, succeeded: false);
            }

            await Task.Delay(50);
        }

        Assert.Equal(3, job.Status.Failed);
        Assert.Equal(3, failedPods.Count);
        var condition = job.Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal(("BackoffLimitExceeded", "Job has reached the specified backoff limit"), (condition.Reason, condition.Message));
        Assert.Null(job.Status.CompletionTime);
        await Eventually.TrueAsync(async () => (await EventsAsync(ns)).Any(e => e.Reason == "BackoffLimitExceeded" && e.Type == "Warning"),
            "BackoffLimitExceeded event");
    }

    [Fact]
    public async Task FailedPod_IsCountedAndReplacedAfterTheBackoff()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-delay");
        await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("slow"), ns);
        var kubelet = new FakeKubelet(Admin);
        var first = await Eventually.ValueAsync(async () => (await PodsAsync(ns)).Where(IsRunning).ToList(), p => p.Count == 1, "first pod");
        await kubelet.FinishAsync(first[0], succeeded: false);
        var failedAt = DateTime.UtcNow;
        var replacement = await Eventually.ValueAsync(async () => (await PodsAsync(ns)).Where(IsRunning).ToList(), p => p.Count == 1, "replacement pod");
        var job = await JobAsync(ns, "slow");
        Assert.Equal(1, job.Status.Failed);

        // The fixture's back-off is 200 ms for the first failure; the replacement was created no sooner (the API
        // server stamps whole seconds, so compare with the failure's whole-second floor).
        var createdAt = replacement[0].Metadata.CreationTimestamp!.Value;
        Assert.True(createdAt >= failedAt.AddTicks(-(failedAt.Ticks % TimeSpan.TicksPerSecond)), $"{createdAt:O} vs {failedAt:O}");
        Assert.NotEqual(first[0].Metadata.Name, replacement[0].Metadata.Name);
    }

    [Fact]
    public async Task ActiveDeadline_Exceeded_DeletesPodsAndFailsWithDeadlineExceeded()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-deadline");
        await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("late", completions: 2, parallelism: 2, s => s.ActiveDeadlineSeconds = 2), ns);
        await Eventually.ValueAsync(async () => (await PodsAsync(ns)).Where(IsRunning).ToList(), p => p.Count == 2, "pods running");

        var job = await WaitForConditionAsync(ns, "late", "Failed", TimeSpan.FromSeconds(20));
        var condition = job.Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), (condition.Reason, condition.Message));
        await Eventually.ValueAsync(PodsAsyncFor(ns), p => p.Count == 0, "pods deleted");
        job = await JobAsync(ns, "late");
        Assert.Equal(0, job.Status.Active ?? 0);
        Assert.Equal(0, job.Status.Failed ?? 0);
        await Eventually.TrueAsync(async () => (await EventsAsync(ns)).Any(e => e.Reason == "DeadlineExceeded"), "DeadlineExceeded event");
    }

    private Func<Task<List<V1Pod>>> PodsAsyncFor(string ns) => () => PodsAsync(ns);

    [Fact]
    public async Task Indexed_RunsOnePodPerIndexAndReportsCompletedIndexes()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-indexed");
        await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("idx", completions: 3, parallelism: 3, s => s.CompletionMode = "Indexed"), ns);
        var kubelet = new FakeKubelet(Admin);
        var pods = await Eventually.ValueAsync(PodsAsyncFor(ns), p => p.Count == 3, "three indexed pods");
        var byIndex = pods.ToDictionary(p => p.Metadata.Annotations[JobLabels.CompletionIndex]);
        Assert.Equal(["0", "1", "2"], byIndex.Keys.Order());
        foreach (var (index, pod) in byIndex)
        {
            Assert.Equal(index, pod.Metadata.Labels[JobLabels.CompletionIndex]);
            Assert.Equal($"idx-{index}", pod.Spec.Hostname);
            Assert.StartsWith($"idx-{index}-", pod.Metadata.Name);
            Assert.Contains(pod.Spec.Containers[0].Env, e => e.Name == "JOB_COMPLETION_INDEX");
        }

        await kubelet.FinishAsync(byIndex["0"], succeeded: true);
        await kubelet.FinishAsync(byIndex["2"], succeeded: true);
        var job = await Eventually.ValueAsync(() => JobAsync(ns, "idx"), j => j.Status?.CompletedIndexes == "0,2", "indexes 0 and 2 completed");
        Assert.False(JobConditionsTrue(job, "Complete"));

        // A failed index is retried under the same index.
        await kubelet.FinishAsync(byIndex["1"], succeeded: false);
        var retry = await Eventually.ValueAsync(async () => (await PodsAsync(ns)).Where(IsRunning).ToList(), p => p.Count == 1, "index 1 retried");
        Assert.Equal("1", retry[0].Metadata.Annotations[JobLabels.CompletionIndex]);
        await kubelet.FinishAsync(retry[0], succeeded: true);

        job = await WaitForConditionAsync(ns, "idx", "Complete");
        Assert.Equal("0-2", job.Status.CompletedIndexes);
        Assert.Equal(3, job.Status.Succeeded);
        Assert.Equal(1, job.Status.Failed);
    }

    [Fact]
    public async Task Suspend_DeletesActivePodsAndResumeStartsThemAgain()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-suspend");
        await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("pause", completions: 4, parallelism: 2, s => s.Suspend = true), ns);
        var job = await WaitForConditionAsync(ns, "pause", "Suspended");
        Assert.Equal("JobSuspended", job.Status.Conditions.Single(c => c.Type == "Suspended").Reason);
        Assert.Null(job.Status.StartTime);
        Assert.Empty(await PodsAsync(ns));

        await PatchSpecAsync(ns, "pause", new { suspend = false });
        await Eventually.ValueAsync(PodsAsyncFor(ns), p => p.Count(IsRunning) == 2, "pods started on resume");
        job = await Eventually.ValueAsync(() => JobAsync(ns, "pause"),
            j => j.Status?.Conditions?.Any(c => c.Type == "Suspended" && c.Status == "False" && c.Reason == "JobResumed") == true, "resumed condition");
        Assert.NotNull(job.Status.StartTime);

        await PatchSpecAsync(ns, "pause", new { suspend = true });
        await Eventually.ValueAsync(PodsAsyncFor(ns), p => p.Count == 0, "pods deleted on suspend");
        job = await Eventually.ValueAsync(() => JobAsync(ns, "pause"),
            j => JobConditionsTrue(j, "Suspended") && (j.Status.Active ?? 0) == 0, "suspended again");
        Assert.Equal(0, job.Status.Failed ?? 0);
    }

    [Fact]
    public async Task SucceededPod_DeletedRightAway_IsStillCounted()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-tracking");
        await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("tracked"), ns);
        var kubelet = new FakeKubelet(Admin);
        var pod = (await Eventually.ValueAsync(PodsAsyncFor(ns), p => p.Count == 1, "pod created"))[0];
        Assert.Contains(JobLabels.TrackingFinalizer, pod.Metadata.Finalizers);
        await kubelet.FinishAsync(pod, succeeded: true);
        await Admin.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns);

        var job = await WaitForConditionAsync(ns, "tracked", "Complete");
        Assert.Equal(1, job.Status.Succeeded);
        await Eventually.ValueAsync(PodsAsyncFor(ns), p => p.Count == 0, "pod gone once its finalizer is removed");
    }

    [Fact]
    public async Task RunningPod_DeletedByAUser_CountsAsFailedAndIsReplaced()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-deleted");
        await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("victim"), ns);
        var pod = (await Eventually.ValueAsync(PodsAsyncFor(ns), p => p.Count == 1, "pod created"))[0];
        await Admin.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns);

        var job = await Eventually.ValueAsync(() => JobAsync(ns, "victim"), j => j.Status?.Failed == 1, "deleted pod counted as failed");
        Assert.False(JobConditionsTrue(job, "Failed"));
        var replacement = await Eventually.ValueAsync(PodsAsyncFor(ns), p => p.Count == 1 && p[0].Metadata.Name != pod.Metadata.Name, "replacement");
        Assert.True(IsRunning(replacement[0]));
    }

    [Fact]
    public async Task TtlSecondsAfterFinished_DeletesTheFinishedJob()
    {
        var ns = await fixture.Cluster.NamespaceAsync("job-ttl");
        await Admin.BatchV1.CreateNamespacedJobAsync(NewJob("shortlived", customize: s => s.TtlSecondsAfterFinished = 1), ns);
        var kubelet = new FakeKubelet(Admin);
        var pod = (await Eventually.ValueAsync(PodsAsyncFor(ns), p => p.Count == 1, "pod created"))[0];
        await kubelet.FinishAsync(pod, succeeded: true);
        await WaitForConditionAsync(ns, "shortlived", "Complete");

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await JobAsync(ns, "shortlived");
                return false;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return true;
            }
        }, "job deleted after its TTL");
    }
}
