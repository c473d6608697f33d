using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.Controllers.CronJob;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.CronJob;

public sealed class CronJobControllerTests(ControllerFixture cluster) : IClassFixture<ControllerFixture>
{
    private IKubernetes Admin => cluster.Admin;

    private static V1CronJob NewCronJob(string name, string schedule, Action<V1CronJobSpec>? customize = null)
    {
        var spec = new V1CronJobSpec
        {
            Schedule = schedule,
            TimeZone = "Etc/UTC",
            JobTemplate = new V1JobTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1JobSpec { Template = PodTemplate() },
            },
        };
        customize?.Invoke(spec);
        return new V1CronJob { Metadata = new V1ObjectMeta { Name = name }, Spec = spec };
    }

    private static V1PodTemplateSpec PodTemplate() => new()
    {
        Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "main", Image = "busybox" }] },
    };

    /// <summary>The n-th minute boundary after <paramref name="from"/> (n = 1 is the first).</summary>
    private static DateTimeOffset Minute(DateTimeOffset from, int n) =>
        new DateTimeOffset(from.UtcTicks - from.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(n);

    private static DateTimeOffset Created(V1CronJob cronJob) =>
        new(DateTime.SpecifyKind(cronJob.Metadata.CreationTimestamp!.Value, DateTimeKind.Utc));

    private async Task<List<V1Job>> JobsAsync(string ns) =>
        [.. (await Admin.BatchV1.ListNamespacedJobAsync(ns)).Items.Where(j => j.Metadata.DeletionTimestamp is null)];

    private async Task<List<Corev1Event>> EventsAsync(string ns) => [.. (await Admin.CoreV1.ListNamespacedEventAsync(ns)).Items];

    private Task WaitForEventAsync(string ns, string reason, string? message = null) =>
        Eventually.TrueAsync(async () => (await EventsAsync(ns)).Any(e => e.Reason == reason && (message is null || e.Message == message)),
            $"event {reason} {message}");

    private Task MarkFinishedAsync(string ns, V1Job job, string type, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        var start = startedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var end = finishedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var criteria = type == "Complete" ? "SuccessCriteriaMet" : "FailureTarget";
        var status = new Dictionary<string, object?>
        {
            ["startTime"] = start,
            ["completionTime"] = type == "Complete" ? end : null,
            ["succeeded"] = type == "Complete" ? 1 : 0,
            ["failed"] = type == "Complete" ? 0 : 1,
            ["conditions"] = new[]
            {
                new Dictionary<string, string> { ["type"] = criteria, ["status"] = "True", ["lastTransitionTime"] = end, ["lastProbeTime"] = end },
                new Dictionary<string, string> { ["type"] = type, ["status"] = "True", ["lastTransitionTime"] = end, ["lastProbeTime"] = end },
            },
        };
        return Admin.BatchV1.PatchNamespacedJobStatusAsync(
            new V1Patch(JsonSerializer.Serialize(new { status }), V1Patch.PatchType.MergePatch), job.Metadata.Name, ns);
    }

    [Fact]
    public async Task Schedule_AtTheScheduledTime_CreatesAJobFromTheTemplate()
    {
        var ns = await cluster.NamespaceAsync("cron-create");
        var cronJob = await Admin.BatchV1.CreateNamespacedCronJobAsync(NewCronJob("tick", "* * * * *"), ns);
        var created = Created(cronJob);
        await using var harness = await CronJobHarness.StartAsync(cluster, created);

        // Not due yet: nothing happens however long the controller looks.
        harness.Time.SetUtcNow(Minute(created, 1).AddSeconds(-1));
        await Task.Delay(500);
        Assert.Empty(await JobsAsync(ns));

        var due = Minute(created, 1);
        harness.Time.SetUtcNow(due.AddSeconds(1));
        var jobs = await Eventually.ValueAsync(() => JobsAsync(ns), j => j.Count == 1, "job created at the scheduled time");
        var job = jobs[0];
        Assert.Equal($"tick-{due.ToUnixTimeSeconds() / 60}", job.Metadata.Name);
        Assert.Equal("tick", job.Metadata.Labels["app"]);
        Assert.Equal(CronJobTemplates.Rfc3339(due), job.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]);
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("batch/v1", "CronJob", cronJob.Metadata.Uid, true), (owner.ApiVersion, owner.Kind, owner.Uid, owner.Controller == true));

        var status = await Eventually.ValueAsync(async () => (await Admin.BatchV1.ReadNamespacedCronJobAsync("tick", ns)).Status,
            s => s?.Active?.Count == 1 && s.LastScheduleTime is not null, "status lists the active job");
        Assert.Equal(job.Metadata.Uid, status.Active[0].Uid);
        Assert.Equal(due.UtcDateTime, status.LastScheduleTime);
        await WaitForEventAsync(ns, "SuccessfulCreate", $"Created job {job.Metadata.Name}");

        // The next minute brings the next job (Allow).
        harness.Time.SetUtcNow(Minute(created, 2).AddSeconds(1));
        await Eventually.ValueAsync(() => JobsAsync(ns), j => j.Count == 2, "second job at the next minute");
    }

    [Fact]
    public async Task Forbid_WhileAJobRuns_SkipsAndStartsOnceItFinishes()
    {
        var ns = await cluster.NamespaceAsync("cron-forbid");
        var cronJob = await Admin.BatchV1.CreateNamespacedCronJobAsync(
            NewCronJob("solo", "* * * * *", s => s.ConcurrencyPolicy = "Forbid"), ns);
        var created = Created(cronJob);
        await using var harness = await CronJobHarness.StartAsync(cluster, created);

        harness.Time.SetUtcNow(Minute(created, 1).AddSeconds(1));
        var first = (await Eventually.ValueAsync(() => JobsAsync(ns), j => j.Count == 1, "first job"))[0];

        harness.Time.SetUtcNow(Minute(created, 2).AddSeconds(1));
        await WaitForEventAsync(ns, "JobAlreadyActive");
        Assert.Single(await JobsAsync(ns));

        await MarkFinishedAsync(ns, first, "Complete", Minute(created, 1), Minute(created, 2));
        var jobs = await Eventually.ValueAsync(() => JobsAsync(ns), j => j.Count == 2, "the missed start runs once the first job finished");
        Assert.Contains(jobs, j => j.Metadata.Name == $"solo-{Minute(created, 2).ToUnixTimeSeconds() / 60}");
        await WaitForEventAsync(ns, "SawCompletedJob", $"Saw completed job: {first.Metadata.Name}, condition: Complete");
        var status = await Eventually.ValueAsync(async () => (await Admin.BatchV1.ReadNamespacedCronJobAsync("solo", ns)).Status,
            s => s?.LastSuccessfulTime is not null && s.Active?.Count == 1, "last successful time recorded");
        Assert.NotEqual(first.Metadata.Uid, status.Active[0].Uid);
    }

    [Fact]
    public async Task Replace_AtTheNextStart_DeletesTheRunningJobAndStartsANewOne()
    {
        var ns = await cluster.NamespaceAsync("cron-replace");
        var cronJob = await Admin.BatchV1.CreateNamespacedCronJobAsync(
            NewCronJob("swap", "* * * * *", s => s.ConcurrencyPolicy = "Replace"), ns);
        var created = Created(cronJob);
        await using var harness = await CronJobHarness.StartAsync(cluster, created);

        harness.Time.SetUtcNow(Minute(created, 1).AddSeconds(1));
        var first = (await Eventually.ValueAsync(() => JobsAsync(ns), j => j.Count == 1, "first job"))[0];

        harness.Time.SetUtcNow(Minute(created, 2).AddSeconds(1));
        var jobs = await Eventually.ValueAsync(() => JobsAsync(ns),
            j => j.Count == 1 && j[0].Metadata.Uid != first.Metadata.Uid, "first job replaced by the second");
        Assert.Equal($"swap-{Minute(created, 2).ToUnixTimeSeconds() / 60}", jobs[0].Metadata.Name);
        await WaitForEventAsync(ns, "SuccessfulDelete", $"Deleted job {first.Metadata.Name}");
        await Eventually.ValueAsync(async () => (await Admin.BatchV1.ReadNamespacedCronJobAsync("swap", ns)).Status,
            s => s?.Active is [{ } only] && only.Uid == jobs[0].Metadata.Uid, "only the new job is active");
    }

    [Fact]
    public async Task HistoryLimits_DeleteTheOldestFinishedJobs()
    {
        var ns = await cluster.NamespaceAsync("cron-history");
        var cronJob = await Admin.BatchV1.CreateNamespacedCronJobAsync(NewCronJob("hist", "0 0 1 1 *", s =>
        {
            s.Suspend = true;
            s.SuccessfulJobsHistoryLimit = 2;
            s.FailedJobsHistoryLimit = 1;
        }), ns);
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        await using var harness = await CronJobHarness.StartAsync(cluster, DateTimeOffset.UtcNow);

        var owner = new V1OwnerReference
        {
            ApiVersion = "batch/v1", Kind = "CronJob", Name = "hist", Uid = cronJob.Metadata.Uid, Controller = true, BlockOwnerDeletion = true,
        };
        var outcomes = new[] { "Complete", "Failed", "Complete", "Failed", "Complete" };
        for (var i = 0; i < outcomes.Length; i++)
        {
            var job = await Admin.BatchV1.CreateNamespacedJobAsync(new V1Job
            {
                Metadata = new V1ObjectMeta { Name = $"hist-{i}", OwnerReferences = [owner] },
                Spec = new V1JobSpec { Template = PodTemplate() },
            }, ns);
            await MarkFinishedAsync(ns, job, outcomes[i], t0.AddMinutes(i), t0.AddMinutes(i).AddSeconds(30));
        }

        var remaining = await Eventually.ValueAsync(() => JobsAsync(ns), j => j.Count == 3, "old finished jobs deleted");
        Assert.Equal(["hist-2", "hist-3", "hist-4"], remaining.Select(j => j.Metadata.Name).Order());
        await WaitForEventAsync(ns, "SuccessfulDelete", "Deleted job hist-0");
        await WaitForEventAsync(ns, "SuccessfulDelete", "Deleted job hist-1");
    }

    [Fact]
    public async Task UnknownTimeZone_RecordsAWarningAndStartsNothing()
    {
        var ns = await cluster.NamespaceAsync("cron-tz");
        var cronJob = await Admin.BatchV1.CreateNamespacedCronJobAsync(NewCronJob("lost", "* * * * *", s => s.TimeZone = "Mars/Olympus_Mons"), ns);
        var created = Created(cronJob);
        await using var harness = await CronJobHarness.StartAsync(cluster, created);
        harness.Time.SetUtcNow(Minute(created, 1).AddSeconds(1));

        await WaitForEventAsync(ns, "UnknownTimeZone");
        Assert.Empty(await JobsAsync(ns));
    }

    [Fact]
    public async Task Schedule_InATimeZone_UsesThatZonesWallClock()
    {
        var ns = await cluster.NamespaceAsync("cron-zone");
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");
        var cronJob = await Admin.BatchV1.CreateNamespacedCronJobAsync(NewCronJob("ist", "*/30 * * * *", s => s.TimeZone = "Asia/Kolkata"), ns);
        var created = Created(cronJob);
        await using var harness = await CronJobHarness.StartAsync(cluster, created);

        // India is UTC+05:30: ":00 and :30 local" are ":30 and :00 UTC", so the next start is the next half hour.
        var due = CronSchedule.Parse("*/30 * * * *").Next(created, zone)!.Value;
        Assert.Equal(0, due.UtcDateTime.Minute % 30);
        harness.Time.SetUtcNow(due.AddSeconds(1));
        var job = (await Eventually.ValueAsync(() => JobsAsync(ns), j => j.Count == 1, "job at the local half hour"))[0];
        Assert.EndsWith("+05:30", job.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]);
        Assert.Equal($"ist-{due.ToUnixTimeSeconds() / 60}", job.Metadata.Name);
    }

    [Fact]
    public async Task StartingDeadline_MissedStartsOlderThanIt_AreSkipped()
    {
        var ns = await cluster.NamespaceAsync("cron-deadline");
        var cronJob = await Admin.BatchV1.CreateNamespacedCronJobAsync(NewCronJob("strict", "* * * * *", s => s.StartingDeadlineSeconds = 10), ns);
        var created = Created(cronJob);
        await using var harness = await CronJobHarness.StartAsync(cluster, created);

        // Three starts went by while the controller was "down"; the latest is 30 s old, past the 10 s deadline.
        harness.Time.SetUtcNow(Minute(created, 3).AddSeconds(30));
        await Task.Delay(500);
        Assert.Empty(await JobsAsync(ns));

        harness.Time.SetUtcNow(Minute(created, 4).AddSeconds(1));
        var job = (await Eventually.ValueAsync(() => JobsAsync(ns), j => j.Count == 1, "job at the next start within the deadline"))[0];
        Assert.Equal($"strict-{Minute(created, 4).ToUnixTimeSeconds() / 60}", job.Metadata.Name);
    }

    [Fact]
    public async Task ManyMissedStarts_RecordTooManyMissedTimesAndStartTheLatest()
    {
        var ns = await cluster.NamespaceAsync("cron-missed");
        var cronJob = await Admin.BatchV1.CreateNamespacedCronJobAsync(NewCronJob("behind", "* * * * *"), ns);
        var created = Created(cronJob);
        await using var harness = await CronJobHarness.StartAsync(cluster, created);

        harness.Time.SetUtcNow(Minute(created, 180).AddSeconds(5));
        await WaitForEventAsync(ns, "TooManyMissedTimes");
        var jobs = await Eventually.ValueAsync(() => JobsAsync(ns), j => j.Count == 1, "one job for the latest start");
        Assert.Equal($"behind-{Minute(created, 180).ToUnixTimeSeconds() / 60}", jobs[0].Metadata.Name);
    }
}
